"""Reads for subsidies paid by transfer: which procedures pay out, who is owed what, which
files were made. Bank accounts are sealed answers: the callers audit-log every read of them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from madoguchi.applications import services as application_services
from madoguchi.applications.models import Application, Status
from madoguchi.catalog.models import City, Procedure
from madoguchi.forms import selectors as form_selectors
from madoguchi.forms.models import FormVersion
from madoguchi.jp import banks as jp_banks
from madoguchi.jp import zengin_transfer as zt
from madoguchi.jp.errors import JPValueError
from madoguchi.jp.zengin import to_zengin_name
from madoguchi.staff.models import StaffMember

from ..models import Payout, TransferBatch, TransferItem

ACCOUNT_FIELD_TYPE = "bank_account"
PAID_STATUSES = (Status.APPROVED, Status.ISSUED)
RECENT_BATCHES = 20
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


class SenderMissing(Exception):
    """The city's own account (the file's sender) is not set, or cannot be written."""


@dataclass
class Payee:
    """An approved case with its confirmed amount and the account it is paid into."""

    application: Application
    payout: Payout
    account: dict[str, str]
    exported_on: list[TransferBatch] = field(default_factory=list)

    @property
    def exported(self) -> bool:
        return bool(self.exported_on)


def account_key(version: FormVersion) -> str | None:
    """The key of the form version's first bank-account field (``None``: it pays nothing)."""
    for f in form_selectors.spec_of(version).fields():
        if f.type_name == ACCOUNT_FIELD_TYPE:
            return f.key
    return None


def is_payable(application: Application) -> bool:
    """Whether the case's form asks for a bank account to pay into."""
    return account_key(application.form_version) is not None


def payable_procedures(staff: StaffMember) -> list[Procedure]:
    """The procedures whose published form asks for a bank account: every department's for the
    treasury (会計課), the own department's for a head."""
    versions = FormVersion.objects.filter(published_at__isnull=False,
                                          form__procedure__isnull=False)
    if not staff.is_treasury:
        versions = versions.filter(form__procedure__department_id=staff.department_id)
    ids: set[int] = set()
    for version in versions.select_related("form").defer("definition"):
        procedure_id = version.form.procedure_id
        if procedure_id is not None and procedure_id not in ids and account_key(version):
            ids.add(procedure_id)
    return list(Procedure.objects.filter(pk__in=ids).select_related("department")
                .order_by("department_id", "sort_order", "pk"))


def payable_procedure(staff: StaffMember, slug: Any) -> Procedure:
    """One procedure ``staff`` may pay out (Http404 for any other value)."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise Http404
    for procedure in payable_procedures(staff):
        if procedure.slug == slug:
            return procedure
    raise Http404


def _approved(procedure: Procedure) -> QuerySet[Application]:
    return (Application.objects.filter(procedure=procedure, status__in=PAID_STATUSES)
            .select_related("form_version").order_by("receipt_number", "pk"))


def unconfirmed(procedure: Procedure) -> list[Application]:
    """Approved cases whose amount nobody confirmed yet: not payable until a clerk does."""
    return [a for a in _approved(procedure).filter(payout__isnull=True)
            if account_key(a.form_version) is not None]


def _account_of(application: Application) -> dict[str, str]:
    key = account_key(application.form_version)
    value = application_services.all_answers(application).get(key or "") if key else None
    return dict(value) if isinstance(value, dict) else {}


def payees(procedure: Procedure, public_ids: list[uuid.UUID] | None = None) -> list[Payee]:
    """The approved cases of ``procedure`` with a confirmed amount (only ``public_ids`` when
    given), each with its decrypted account and the files it was already in."""
    cases = _approved(procedure).filter(payout__isnull=False).select_related("payout")
    if public_ids is not None:
        cases = cases.filter(public_id__in=public_ids)
    found = [Payee(application=a, payout=a.payout, account=_account_of(a)) for a in cases]
    by_payout = {p.payout.pk: p for p in found}
    items = (TransferItem.objects.filter(payout_id__in=by_payout).select_related("batch")
             .order_by("batch__created_at", "batch_id"))
    for item in items:
        by_payout[item.payout_id].exported_on.append(item.batch)
    return [p for p in found if p.account]


def batches(staff: StaffMember) -> QuerySet[TransferBatch]:
    """The newest files ``staff`` may see: all for the treasury, the department's for a head."""
    qs = TransferBatch.objects.select_related("procedure", "department", "created_by")
    if not staff.is_treasury:
        qs = qs.filter(department_id=staff.department_id)
    return qs[:RECENT_BATCHES]


def batch_for(staff: StaffMember, public_id: uuid.UUID) -> TransferBatch:
    """One file ``staff`` may see; Http404 otherwise."""
    qs = TransferBatch.objects.select_related("procedure", "department", "created_by")
    if not staff.is_treasury:
        qs = qs.filter(department_id=staff.department_id)
    try:
        return qs.get(public_id=public_id)
    except TransferBatch.DoesNotExist as exc:
        raise Http404 from exc


def batch_payees(batch: TransferBatch) -> list[tuple[TransferItem, Payee]]:
    """The file's cases in its order, each with the account it pays into."""
    items = list(batch.items.select_related("payout__application__form_version"))
    out = []
    for item in items:
        application = item.payout.application
        out.append((item, Payee(application=application, payout=item.payout,
                                account=_account_of(application))))
    return out


def sender() -> zt.Sender:
    """The city's own account as the file's sender (from the city's ``transfer_account``)."""
    city = City.objects.first()
    config = city.transfer_account if city is not None else {}
    if not isinstance(config, dict) or not config:
        raise SenderMissing("the city's transfer account is not set")
    bank = jp_banks.find_bank(str(config.get("bank_code", "")))
    branch = jp_banks.find_branch(bank, str(config.get("branch_code", ""))) if bank else None
    if bank is None or branch is None:
        raise SenderMissing("the city's bank or branch is not in the Zengin list")
    try:
        name = to_zengin_name(str(config.get("name", "")))
    except JPValueError as exc:
        raise SenderMissing("the city's transfer name cannot be written") from exc
    return zt.Sender(
        code=str(config.get("code", "")), name=name, bank_code=bank.code,
        bank_name=zt.fit_name(bank.kana, 15), branch_code=branch.code,
        branch_name=zt.fit_name(branch.kana, 15),
        account_type=str(config.get("account_type", "")),
        account_number=str(config.get("number", "")),
    )
