"""Reads for fees paid online: a resident's payments, a department's list, one payment."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from madoguchi.staff.models import StaffMember

from . import state
from .models import FeeSchedule, Payment, PaymentState

LIST_LIMIT = 200


def for_resident(user: Any) -> QuerySet[Payment]:
    """The resident's payments, newest first (due ones are those pending)."""
    return (Payment.objects.filter(application__applicant=user)
            .select_related("application__procedure").order_by("-created_at", "-id"))


def due_for_resident(user: Any) -> list[Payment]:
    """Payments the resident is asked to make (pending), newest first."""
    return list(for_resident(user).filter(status=PaymentState.PENDING))


def get_for_resident(user: Any, public_id: uuid.UUID) -> Payment:
    """The resident's own payment, else 404 (never another resident's)."""
    payment = for_resident(user).filter(public_id=public_id).first()
    if payment is None:
        raise Http404
    return payment


def for_department(staff: StaffMember, *, status: str = "") -> QuerySet[Payment]:
    """The department's payments (newest first), optionally of one status."""
    qs = (Payment.objects.filter(department_id=staff.department_id)
          .select_related("application__procedure").order_by("-created_at", "-id"))
    if status in state.TRANSITIONS:
        qs = qs.filter(status=status)
    return qs


def get_for_staff(staff: StaffMember, public_id: uuid.UUID) -> Payment:
    """A payment of the staff member's department, else 404."""
    payment = for_department(staff).filter(public_id=public_id).first()
    if payment is None:
        raise Http404
    return payment


def for_application(application_id: int) -> list[Payment]:
    return list(Payment.objects.filter(application_id=application_id)
                .order_by("-created_at", "-id"))


def schedule_of(procedure_id: int) -> FeeSchedule | None:
    return (FeeSchedule.objects.filter(procedure_id=procedure_id)
            .prefetch_related("exemptions").first())


def settled_between(start: Any, end: Any, *, department_id: int | None) -> list[Payment]:
    """Payments paid in [start, end) (of one department, or all), for reconciliation."""
    qs = Payment.objects.filter(status__in=list(state.SETTLED), paid_at__gte=start,
                                paid_at__lt=end)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return list(qs.select_related("application"))


def departments_of(references: list[str]) -> dict[str, int]:
    """Reference → department id, for the references the city knows."""
    return dict(Payment.objects.filter(reference__in=references)
                .values_list("reference", "department_id"))


def open_refunds(staff: StaffMember) -> QuerySet[Any]:
    """Refund requests of the department waiting for a decision."""
    from .models import RefundRequest

    return (RefundRequest.objects.filter(payment__department_id=staff.department_id,
                                         state=RefundRequest.State.REQUESTED)
            .select_related("payment__application__procedure", "requested_by"))


# --- A case's fee, as the case page and マイページ show it ---------------------------------
AWAITING = "awaiting"
PAID = "paid"
WAIVED = "waived"
REFUNDED = "refunded"


def fee_state(application: Any) -> str:
    """Where the case's fee stands: "" (no fee asked), ``awaiting`` (支払待ち: a payment is
    pending, or its last attempt failed or expired), ``paid``, ``refunded`` (in full) or
    ``waived`` (an exemption covered it all).

    Derived from the payments, which only a provider's verified report moves; the application
    keeps its decision status (承認) and never holds a copy of this state.
    """
    from .models import FeeWaived

    statuses = set(Payment.objects.filter(application_id=application.pk)
                   .values_list("status", flat=True))
    if statuses & {state.PAID, state.PARTIALLY_REFUNDED}:
        return PAID
    if state.REFUNDED in statuses:
        return REFUNDED
    if statuses:
        return AWAITING
    if FeeWaived.objects.filter(application_id=application.pk).exists():
        return WAIVED
    return ""


def fee_cleared(application: Any) -> bool:
    """Whether nothing stands between the case and sending the document: no fee, or the fee
    paid (or waived)."""
    if not FeeSchedule.objects.filter(procedure_id=application.procedure_id).exists():
        return True
    return fee_state(application) in (PAID, WAIVED)


def asks_fee_at_approval(application: Any) -> bool:
    """Whether approving the case must state the fee (a fee charged after review, not yet
    asked): the plain 承認 button is then replaced by 「承認して手数料を請求」."""
    from .models import Charged

    if not FeeSchedule.objects.filter(procedure_id=application.procedure_id,
                                      charged=Charged.AFTER_REVIEW).exists():
        return False
    return fee_state(application) == ""


def open_payment(application: Any) -> Payment | None:
    """The payment the resident is asked to make now (pending, or to try again), or None."""
    return (Payment.objects.filter(application_id=application.pk)
            .exclude(status__in=list(state.SETTLED)).order_by("-created_at", "-id").first())


def settled_payment(application: Any) -> Payment | None:
    return (Payment.objects.filter(application_id=application.pk,
                                   status__in=list(state.SETTLED))
            .order_by("-created_at", "-id").first())


def events_of(application: Any) -> QuerySet[Any]:
    """The status changes of the case's payments (for its timeline)."""
    from .models import PaymentEvent

    return (PaymentEvent.objects.filter(payment__application_id=application.pk)
            .select_related("payment").order_by("created_at", "id"))


def waiver_of(application: Any) -> Any:
    """The case's 手数料免除 record, or None."""
    from .models import FeeWaived

    return FeeWaived.objects.filter(application_id=application.pk).first()
