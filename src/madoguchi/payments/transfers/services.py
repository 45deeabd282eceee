"""Writes for subsidies paid by transfer: the clerk confirms the amount (支給額) at approval, the
treasury makes a 全銀 file of the approved cases for a bank business day.

Each case goes into one file; putting it into another needs a reason, and that repeat is
audit-logged per case. Every read of the payees' accounts is audit-logged by the caller."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from madoguchi.applications import services as application_services
from madoguchi.applications.models import Application, Status
from madoguchi.catalog.models import Procedure
from madoguchi.core import audit
from madoguchi.core.models import User
from madoguchi.jp import zengin_transfer as zt
from madoguchi.jp.errors import JPValueError
from madoguchi.staff.models import StaffMember

from ..models import Payout, TransferBatch, TransferItem
from . import files, selectors

MAX_REASON = 2000


class PayoutRefused(Exception):
    """The amount cannot be confirmed now; ``code`` says why (for the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ExportRefused(Exception):
    """No file was made; ``code`` says why, ``detail`` carries the file rule's message and
    ``receipt`` the case it concerns, when there is one."""

    def __init__(self, code: str, detail: str = "", receipt: str = "") -> None:
        super().__init__(code, detail)
        self.code, self.detail, self.receipt = code, detail, receipt


def confirm_amount(*, application: Application, amount: int, actor: User,
                   approve: bool = False, request: HttpRequest | None = None) -> Payout:
    """The clerk confirms what the case is paid; with ``approve`` the case is approved (承認)
    in the same transaction. Refused for a form without a bank account, an amount outside
    1 … 9,999,999,999 yen, a case not approved (or, with ``approve``, not approvable now),
    and a case already in a transfer file. With ``request``, the audit event is written in the
    same transaction."""
    if not selectors.is_payable(application):
        raise PayoutRefused("not_payable")
    if isinstance(amount, bool) or not 1 <= amount <= zt.MAX_AMOUNT:
        raise PayoutRefused("amount")
    with transaction.atomic():
        if approve:
            try:
                application_services.change_status(application=application,
                                                   to_status=Status.APPROVED,
                                                   actor=actor)
            except application_services.TransitionRefused as exc:
                raise PayoutRefused("status") from exc
        elif application.status not in selectors.PAID_STATUSES:
            raise PayoutRefused("status")
        existing = Payout.objects.select_for_update().filter(application=application).first()
        if existing is not None and existing.items.exists():
            raise PayoutRefused("exported")
        payout, _created = Payout.objects.update_or_create(
            application=application,
            defaults={"amount": amount, "confirmed_by": actor, "confirmed_at": timezone.now()},
        )
        if request is not None:
            audit.record(request, "payout.confirm", target_type="application",
                         target_id=str(application.public_id),
                         details={"amount": amount, "approved": approve,
                                  "previous": existing.amount if existing else None})
    return payout


def create_batch(*, request: HttpRequest, staff: StaffMember, procedure: Procedure,
                 payment_date: dt.date, public_ids: list[uuid.UUID],
                 reason: str = "") -> TransferBatch:
    """Put the chosen approved cases of ``procedure`` into a new file paid on ``payment_date``.

    The caller has checked ``staff`` may pay out ``procedure`` (selectors.payable_procedure).
    Refused when the day is not after today or no bank business day, the city's account is
    not set, nothing is chosen, a case already in a file is chosen without a reason, or a value
    does not fit the 全銀 layout. The whole file is written once before the transaction ends, so
    a refused file leaves nothing behind.
    """
    if payment_date <= timezone.localdate():
        raise ExportRefused("past")
    if not zt.is_bank_business_day(payment_date):
        raise ExportRefused("holiday")
    try:
        sender = selectors.sender()
    except selectors.SenderMissing as exc:
        raise ExportRefused("sender") from exc
    reason = reason.replace("\x00", "").strip()[:MAX_REASON]
    with transaction.atomic():
        # Locks the chosen payouts, so two exports at once cannot both count a case as new.
        list(Payout.objects.select_for_update()
             .filter(application__procedure=procedure, application__public_id__in=public_ids)
             .values_list("pk", flat=True))
        chosen = selectors.payees(procedure, public_ids)
        if not chosen:
            raise ExportRefused("empty")
        repeated = [p for p in chosen if p.exported]
        if repeated and not reason:
            raise ExportRefused("reason", receipt=repeated[0].application.receipt_number or "")
        for payee in chosen:
            try:
                zt.data_record(files.transfer_of(payee, payee.payout.amount))
            except JPValueError as exc:
                raise ExportRefused("file", exc.message,
                                    payee.application.receipt_number or "") from exc
        batch = TransferBatch.objects.create(
            procedure=procedure, department_id=procedure.department_id,
            payment_date=payment_date, count=len(chosen),
            total=sum(p.payout.amount for p in chosen), reason=reason, created_by=staff.user,
        )
        TransferItem.objects.bulk_create([
            TransferItem(batch=batch, payout=p.payout, position=n, amount=p.payout.amount,
                         repeated=p.exported)
            for n, p in enumerate(chosen, start=1)
        ])
        try:
            files.zengin_file(batch, sender, selectors.batch_payees(batch))
        except JPValueError as exc:
            raise ExportRefused("file", exc.message) from exc
        audit.record(request, "payments.transfer.export", target_type="transfer_batch",
                     target_id=str(batch.public_id),
                     details={"procedure": procedure.slug,
                              "payment_date": payment_date.isoformat(),
                              "count": batch.count, "total": batch.total,
                              "receipts": [p.application.receipt_number for p in chosen],
                              "repeated": [p.application.receipt_number for p in repeated],
                              "reason": reason, "by_treasury": staff.is_treasury})
        for payee in repeated:
            audit.record(request, "payments.transfer.reexport", target_type="application",
                         target_id=str(payee.application.public_id),
                         details={"batch": str(batch.public_id), "reason": reason,
                                  "earlier": [str(b.public_id) for b in payee.exported_on]})
    return batch
