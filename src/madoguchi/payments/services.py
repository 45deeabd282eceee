"""Fees paid online: start a payment, learn its outcome, refund it (the writes).

Only :func:`apply_result` changes a payment's status, and only with what a provider verified
(a signed notification or a status query). It locks the payment row, so duplicate,
replayed and out-of-order notifications make one status change at most.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from madoguchi.applications.models import Application
from madoguchi.core.models import User

from . import state
from .models import (
    Charged,
    FeeSchedule,
    FeeWaived,
    Payment,
    PaymentEvent,
    PaymentState,
    RefundRequest,
)
from .plugins import PaymentError, PaymentProvider, PaymentResult, payment_providers

logger = logging.getLogger(__name__)

# A pending payment nobody heard of for this long is asked about (sync_pending).
STALE_AFTER = dt.timedelta(minutes=5)


class PaymentRefused(Exception):
    """A payment or refund cannot be made; ``code`` says why (shown translated by views)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def demo_enabled() -> bool:
    """The demo provider works only in the demo city and in tests."""
    return bool(settings.DEMO or settings.TESTING)


def provider_for(schedule: FeeSchedule | None) -> PaymentProvider:
    """The schedule's provider, else the city's default (settings.MADOGUCHI_PAYMENT_PROVIDER)."""
    provider_id = (schedule.provider if schedule else "") or settings.MADOGUCHI_PAYMENT_PROVIDER
    if provider_id not in payment_providers:
        raise PaymentRefused("provider")
    provider = payment_providers[provider_id]
    if provider.demo and not demo_enabled():
        raise PaymentRefused("provider")
    return provider


def new_reference() -> str:
    """A short reference shown on receipts and sent to the provider (P- and 12 hex digits)."""
    return f"P-{secrets.token_hex(6).upper()}"


def create_payment(application: Application, *, copies: int = 1, exemption: str = "",
                   stage: str | None = None) -> Payment:
    """A pending payment for ``application``, its amount from the city's fee schedule.

    ``exemption`` is the code of an exemption the clerk accepted. Refused (``free``) when
    nothing is owed, (``open``) when the application already has a pending or paid payment.
    """
    schedule = FeeSchedule.objects.filter(procedure_id=application.procedure_id).first()
    if schedule is None:
        raise PaymentRefused("no_fee")
    if not 1 <= copies <= schedule.max_copies:
        raise PaymentRefused("copies")
    waiver = schedule.exemptions.filter(code=exemption).first() if exemption else None
    if exemption and waiver is None:
        raise PaymentRefused("exemption")
    due = state.charge(copies=copies, per_copy=schedule.per_copy, postage=schedule.postage,
                       exempt=waiver is not None,
                       exempt_postage=bool(waiver and waiver.covers_postage))
    if due.amount <= 0:
        raise PaymentRefused("free")
    provider = provider_for(schedule)
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        if Payment.objects.filter(application=application,
                                  status__in=[PaymentState.PENDING, *state.SETTLED]).exists():
            raise PaymentRefused("open")
        return Payment.objects.create(
            reference=new_reference(), application=application,
            department_id=application.department_id,
            stage=stage or schedule.charged, provider=provider.id, copies=due.copies,
            per_copy=due.per_copy, postage=due.postage, exemption=exemption,
            exempted=due.exempted, amount=due.amount)


def description(payment: Payment) -> str:
    """What the resident sees at the provider: the procedure and the reference."""
    from madoguchi.core.i18n import localized

    return f"{localized(payment.application.procedure.name)} ({payment.reference})"


def start(request: HttpRequest, payment: Payment, *, return_url: str) -> str:
    """Open the payment at its provider; the URL to send the resident to.

    A payment whose earlier attempt failed or expired gets a new attempt (a new reference
    and idempotency key), the old one kept for the record.
    """
    if payment.status in state.SETTLED:
        raise PaymentRefused("paid")
    if payment.status != PaymentState.PENDING:
        payment = retry(payment)
    provider = payment_providers[payment.provider]
    try:
        started = provider.start(request, amount=payment.amount, reference=payment.reference,
                                 description=description(payment), return_url=return_url)
    except PaymentError as exc:
        raise PaymentRefused("provider_error") from exc
    Payment.objects.filter(pk=payment.pk, provider_payment_id="").update(
        provider_payment_id=started.payment_id, expires_at=started.expires_at,
        updated_at=timezone.now())
    return started.redirect_url


def retry(payment: Payment) -> Payment:
    """A new attempt after a failed, expired or cancelled one, for the same amount."""
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=payment.application_id).first()
        if Payment.objects.filter(application_id=payment.application_id,
                                  status__in=[*state.SETTLED]).exists():
            raise PaymentRefused("paid")
        pending = Payment.objects.filter(application_id=payment.application_id,
                                         status=PaymentState.PENDING).first()
        if pending is not None:
            return pending
        return Payment.objects.create(
            reference=new_reference(), application_id=payment.application_id,
            department_id=payment.department_id, stage=payment.stage,
            provider=payment.provider, copies=payment.copies, per_copy=payment.per_copy,
            postage=payment.postage, exemption=payment.exemption, exempted=payment.exempted,
            amount=payment.amount)


@dataclass(frozen=True)
class Applied:
    """What :func:`apply_result` did: the payment (None if unknown) and whether it moved."""

    payment: Payment | None
    changed: bool


def apply_result(provider_id: str, result: PaymentResult, *, source: str) -> Applied:
    """Record what the provider verifiably says about one of our payments.

    The payment row is locked; a report that would not move the status (a replay, a stale
    one arriving late) changes nothing. A paid amount other than
    the one we asked for is not believed.
    """
    with transaction.atomic():
        payment = (Payment.objects.select_for_update()
                   .filter(provider=provider_id, reference=result.reference).first())
        if payment is None:
            return Applied(None, False)
        if payment.provider_payment_id and payment.provider_payment_id != result.payment_id:
            return Applied(payment, False)
        if str(result.status) == state.PAID and result.amount != payment.amount:
            logger.warning("payment %s: paid %s yen, asked %s yen: not recorded",
                           payment.reference, result.amount, payment.amount)
            return Applied(payment, False)
        new = state.next_status(payment.status, str(result.status), refunded=result.refunded,
                                amount=payment.amount, current_refunded=payment.refunded)
        if new is None:
            return Applied(payment, False)
        previous = payment.status
        now = timezone.now()
        payment.status = new
        payment.refunded = max(payment.refunded, result.refunded)
        payment.provider_payment_id = payment.provider_payment_id or result.payment_id
        payment.method = result.method or payment.method
        if new in state.SETTLED and payment.paid_at is None:
            payment.paid_at = result.paid_at or now
        payment.updated_at = now
        payment.save(update_fields=["status", "refunded", "provider_payment_id", "method",
                                    "paid_at", "updated_at"])
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(payment=payment, provider=provider_id, source=source,
                                            from_status=previous, to_status=new,
                                            refunded=payment.refunded, created_at=now)
        except IntegrityError:
            # A concurrent request made this very change: it counts, not ours.
            transaction.set_rollback(True)
            return Applied(payment, False)
        if new == PaymentState.PAID and previous == PaymentState.PENDING:
            transaction.on_commit(lambda: _paid(payment.pk))
        return Applied(payment, True)


def _paid(payment_id: int) -> None:
    from .tasks import send_payment_notice

    send_payment_notice.enqueue(payment_id, "paid")


def sync(payment: Payment, *, source: str = "status") -> Applied:
    """Ask the provider about ``payment`` (server to server) and record the answer."""
    if not payment.provider_payment_id:
        return Applied(payment, False)
    provider = payment_providers[payment.provider]
    result = provider.status(payment.provider_payment_id)
    return apply_result(payment.provider, result, source=source)


def sync_pending(*, older_than: dt.timedelta = STALE_AFTER, limit: int = 200) -> int:
    """Ask the providers about pending payments nobody heard of lately; how many moved.

    This is what completes a payment whose notification was lost, or whose commit failed
    after the provider confirmed it.
    """
    cutoff = timezone.now() - older_than
    moved = 0
    pending = (Payment.objects.filter(status=PaymentState.PENDING, updated_at__lte=cutoff)
               .exclude(provider_payment_id="").order_by("updated_at")[:limit])
    for payment in pending:
        if payment.provider not in payment_providers:
            continue
        try:
            moved += sync(payment).changed
        except PaymentError:
            continue
        Payment.objects.filter(pk=payment.pk, status=PaymentState.PENDING).update(
            updated_at=timezone.now())
    return moved


def request_payment(application: Application, *, copies: int, exemption: str = "",
                    approved: bool = False) -> Payment:
    """After review: ask the resident to pay (マイページ, e-mail and LINE). ``approved``: the
    case was approved in the same step, and the notice says so."""
    payment = create_payment(application, copies=copies, exemption=exemption,
                             stage=Charged.AFTER_REVIEW)
    kind = "approved" if approved else "requested"
    transaction.on_commit(lambda: _notice(payment.pk, kind))
    return payment


@dataclass(frozen=True)
class Approved:
    """What :func:`approve_with_fee` did: the payment asked (None when waived) and the
    amount."""

    payment: Payment | None
    amount: int


def approve_with_fee(application: Application, *, actor: User, copies: int,
                     exemption: str = "") -> Approved:
    """承認 of a case whose fee is charged after review, stating what the resident pays.

    In one transaction the case is approved (the status machine's "fee" step) and the payment
    is asked for; the resident gets one notice (approved, the amount, the pay link). An
    exemption the clerk accepted that covers the whole fee approves with nothing to pay
    (recorded as waived, and the resident is told the case was approved). Refused
    (:class:`PaymentRefused`) for copies outside the schedule's limit, an unknown exemption, a
    fee already asked, and ``status`` when the case cannot be approved now.
    """
    from madoguchi.applications.models import Status
    from madoguchi.applications.services import TransitionRefused, change_status

    with transaction.atomic():
        try:
            change_status(application=application, to_status=Status.APPROVED, actor=actor,
                          step="fee", notify=False)
        except TransitionRefused as exc:
            raise PaymentRefused("status") from exc
        try:
            payment = request_payment(application, copies=copies, exemption=exemption,
                                      approved=True)
        except PaymentRefused as exc:
            if exc.code != "free":
                raise
            FeeWaived.objects.create(application=application, exemption=exemption,
                                     copies=copies, waived_by=actor)
            transaction.on_commit(lambda: _waived(application.pk))
            return Approved(None, 0)
    return Approved(payment, payment.amount)


def _notice(payment_id: int, kind: str) -> None:
    from .tasks import send_payment_notice

    send_payment_notice.enqueue(payment_id, kind)


def _waived(application_id: int) -> None:
    from madoguchi.applications.tasks import send_status_email

    event = (Application.objects.get(pk=application_id).events
             .filter(to_status="approved").order_by("-at", "-id").first())
    if event is not None:
        send_status_email.enqueue(event_id=event.pk)


def request_refund(payment: Payment, *, amount: int, reason: str, user: User) -> RefundRequest:
    """A clerk asks for a refund; an approver decides (:func:`decide_refund`)."""
    reason = reason.strip()
    if not reason:
        raise PaymentRefused("reason")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED):
            raise PaymentRefused("not_paid")
        asked = sum(r.amount for r in locked.refunds.filter(state=RefundRequest.State.REQUESTED))
        if not 0 < amount <= locked.amount - locked.refunded - asked:
            raise PaymentRefused("amount")
        return RefundRequest.objects.create(payment=locked, amount=amount, reason=reason,
                                            requested_by=user)


def decide_refund(refund: RefundRequest, *, approve: bool, user: User) -> RefundRequest:
    """An approver (not the requester) approves, and the provider refunds; or rejects."""
    with transaction.atomic():
        locked = RefundRequest.objects.select_for_update().get(pk=refund.pk)
        if locked.state != RefundRequest.State.REQUESTED:
            raise PaymentRefused("decided")
        if locked.requested_by_id == user.pk:
            raise PaymentRefused("own")
        locked.decided_by = user
        locked.decided_at = timezone.now()
        if not approve:
            locked.state = RefundRequest.State.REJECTED
            locked.save(update_fields=["state", "decided_by", "decided_at"])
            return locked
        payment = locked.payment
        provider = payment_providers[payment.provider]
        try:
            result = provider.refund(payment.provider_payment_id, amount=locked.amount,
                                     reason=f"{locked.public_id}")
        except PaymentError as exc:
            locked.state = RefundRequest.State.FAILED
            locked.error = exc.message
            locked.save(update_fields=["state", "decided_by", "decided_at", "error"])
            return locked
        locked.state = RefundRequest.State.DONE
        locked.save(update_fields=["state", "decided_by", "decided_at"])
    apply_result(payment.provider, result, source="staff")
    return locked


def pay_before_sending(request: HttpRequest, application: Application) -> str | None:
    """After the check page: a fee charged before sending opens a payment at once.

    The application exists (it has its receipt number) and its payment is pending (支払待ち)
    until the provider confirms it; the resident goes straight to the provider, or to the
    payment page if the provider cannot be reached. None when nothing is charged now.
    """
    from django.urls import reverse

    schedule = FeeSchedule.objects.filter(procedure_id=application.procedure_id,
                                          charged=Charged.BEFORE_SENDING).first()
    if schedule is None or application.applicant_id is None:
        return None
    try:
        payment = create_payment(application, copies=1, stage=Charged.BEFORE_SENDING)
    except PaymentRefused:
        return None
    pay_url = reverse("payments:pay", args=[payment.public_id])
    try:
        return start(request, payment, return_url=request.build_absolute_uri(
            reverse("payments:return", args=[payment.public_id])))
    except PaymentRefused:
        return pay_url
