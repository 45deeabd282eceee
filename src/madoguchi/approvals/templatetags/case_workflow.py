"""The case page's workflow panel: correction rounds, the approval trail, documents."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from madoguchi.applications import services
from madoguchi.applications.models import Status
from madoguchi.forms import selectors as form_selectors
from madoguchi.issuance import selectors as issuance_selectors
from madoguchi.payments.transfers import selectors as payout_selectors

from .. import selectors as approval_selectors
from ..models import ApprovalRequest, Decision

register = template.Library()


@register.inclusion_tag("approvals/staff/_workflow.html")
def case_workflow(application: Any, staff: Any, part: str = "") -> dict[str, Any]:
    """The panel, or one ``part`` of it: "actions" (the forms: 差戻し, 起案, decision,
    交付) or "record" (the corrections, the approval trail, the issued documents)."""
    spec = form_selectors.spec_of(application.form_version)
    pending = approval_selectors.pending(application)
    route = approval_selectors.route_of(application.procedure_id)
    may_decide = (
        pending is not None and pending.step is not None
        and pending.drafted_by_id != staff.user_id
        and approval_selectors.acting_for(staff, pending.step["role"],
                                          timezone.localdate()) is not False
    )
    # The last step of approving a case paid by transfer also confirms the amount paid.
    payout_step = (
        may_decide and pending is not None
        and pending.proposal == ApprovalRequest.Proposal.APPROVE
        and pending.current_step + 1 == len(pending.steps)
        and payout_selectors.is_payable(application)
    )
    return {
        "application": application,
        "staff": staff,
        "payout_step": payout_step,
        "actions": part != "record",
        "record": part != "actions",
        "fields": [(f.key, f.label) for f in spec.fields()],
        "corrections": list(application.corrections.select_related("requested_by")),
        "can_correct": (application.status == Status.UNDER_REVIEW
                        and Status.RETURNED in application.allowed_transitions
                        and staff.handles_cases),
        "route": route,
        "can_start": (route is not None and application.status == Status.UNDER_REVIEW
                      and staff.handles_cases),
        "proposals": ApprovalRequest.Proposal.choices,
        "pending": pending,
        "may_decide": may_decide,
        "decision_kinds": Decision.Kind.choices,
        "trail": approval_selectors.trail(application),
        "issuable": [(k, issuance_selectors.kind_label(k))
                     for k in services.issuable_kinds(application)] if staff.handles_cases else [],
    }
