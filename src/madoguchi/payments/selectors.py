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
