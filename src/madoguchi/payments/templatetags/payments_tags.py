"""Template helpers of subsidies paid by transfer: yen amounts and the case page's panel where
the clerk confirms the amount paid (支給額)."""

from __future__ import annotations

from typing import Any

from django import template

from madoguchi.applications import services as application_services
from madoguchi.applications.decisions import decided_by_own_step
from madoguchi.applications.models import Status

from ..models import Payout
from ..transfers import selectors

register = template.Library()


@register.filter
def yen(value: Any) -> str:
    """12000 → "12,000"."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("payments/staff/_case_payout.html")
def case_payout(application: Any, staff: Any) -> dict[str, Any]:
    """The amount panel of a case whose form asks for a bank account: from the review the
    clerk confirms the amount and approves in one step; once approved, the amount can still be
    confirmed or changed until the case is in a transfer file."""
    if not staff.handles_cases or not selectors.is_payable(application):
        return {"show": False}
    payout = Payout.objects.filter(application=application).select_related(
        "confirmed_by__staff_profile").first()
    exported = payout is not None and payout.items.exists()
    approve = (application.status == Status.UNDER_REVIEW
               and Status.APPROVED in application_services.manual_transitions(application))
    approved = application.status in selectors.PAID_STATUSES
    return {"show": True, "application": application, "payout": payout, "exported": exported,
            "approve": approve, "can_confirm": (approve or approved) and not exported}


@register.inclusion_tag("payments/staff/_case_payments.html")
def case_payments(application: Any, staff: Any) -> dict[str, Any]:
    """The fee panel of a case whose procedure has a fee: its payments and, when none is open
    or paid, the form asking the resident to pay (copies and an accepted exemption)."""
    from .. import selectors as payment_selectors
    from .. import state

    schedule = payment_selectors.schedule_of(application.procedure_id)
    if schedule is None or not staff.handles_cases:
        return {"show": False}
    payments = payment_selectors.for_application(application.pk)
    open_or_paid = any(p.status == state.PENDING or p.status in state.SETTLED
                       for p in payments)
    approve = (payment_selectors.asks_fee_at_approval(application)
               and Status.APPROVED in application.allowed_transitions
               and application.status != Status.RECEIVED
               and not decided_by_own_step(application.procedure_id))
    copies = str(application.answers.get("copies", "1"))
    return {"show": True, "application": application, "schedule": schedule,
            "payments": payments, "can_request": not open_or_paid and not approve,
            "approve": approve, "copies": copies if copies.isdigit() else "1",
            "fee_state": payment_selectors.fee_state(application),
            "exemptions": list(schedule.exemptions.all())}


@register.inclusion_tag("payments/_due.html")
def payments_due(user: Any) -> dict[str, Any]:
    """マイページ: 「お支払いください」 with each amount due and its pay button."""
    from .. import selectors as payment_selectors

    return {"due": payment_selectors.due_for_resident(user)}
