"""Staff steps on a case besides the status buttons: 差戻し (ask the resident to correct), 起案
and decisions of the approval route, issuing the decision document, and each procedure's
status machine and approval route.

The pages are mounted from ``approvals/staff_urls.py`` in the shared ``staff`` namespace."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.applications import selectors, services
from madoguchi.applications.models import Status, transitions_for
from madoguchi.catalog import selectors as catalog_selectors
from madoguchi.core import audit
from madoguchi.issuance import services as issuance
from madoguchi.payments.transfers import forms as payout_forms
from madoguchi.payments.transfers import services as payouts
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import case_handler_required, staff_member, staff_required

from . import selectors as approval_selectors
from . import services as approvals
from .models import Decision


def _case(request: HttpRequest, public_id: uuid.UUID):  # an Application
    return selectors.get_for_staff(staff_member(request), public_id)


def _done(request: HttpRequest, action: str, application, message: str,
          **details: object) -> None:
    """Audit-log a step taken on the case and tell the clerk it was done."""
    audit.record(request, action, target_type="application",
                 target_id=str(application.public_id), details=details)
    messages.success(request, message)


def _to_case(application) -> HttpResponse:  # back to the Application's page
    return redirect("staff:case", public_id=application.public_id)


@case_handler_required
@require_POST
def request_correction(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _case(request, public_id)
    fields = [f[:40] for f in request.POST.getlist("fields")][:200]
    try:
        correction = services.request_correction(
            application=application, fields=fields,
            message=request.POST.get("message", "")[:2000], actor=request.user,
        )
    except services.TransitionRefused:
        messages.error(request, _("Choose the answers to correct and write why. A correction "
                                  "can be asked for while the case is under review."))
    else:
        _done(request, "application.correction", application,
              _("The resident was asked to correct the answers."), round=correction.round)
    return _to_case(application)


@case_handler_required
@require_POST
def start_approval(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _case(request, public_id)
    try:
        approvals.start(application=application, proposal=request.POST.get("proposal", ""),
                        summary=request.POST.get("summary", "")[:4000], actor=request.user)
    except approvals.ApprovalRefused:
        messages.error(request, _("The case could not be sent for approval. Choose what you "
                                  "propose and write the reason."))
    else:
        _done(request, "approval.start", application, _("The case was sent for approval."))
    return _to_case(application)


@case_handler_required
@require_POST
def decide(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A step's decision. At the last step of a proposal to approve a case that is paid by
    transfer, the approver may confirm the amount paid (支給額) with it, in one transaction."""
    application = _case(request, public_id)
    pending = approval_selectors.pending(application)
    kind = request.POST.get("kind", "")[:10]
    typed_amount = request.POST.get("amount", "")[:40].strip()
    amount = payout_forms.parse_amount(typed_amount) if typed_amount else None
    if typed_amount and kind == Decision.Kind.APPROVE and amount is None:
        messages.error(request, _("Enter the amount paid in yen as a whole number, e.g. 30,000."))
        return _to_case(application)
    try:
        if pending is None:
            raise approvals.ApprovalRefused("nothing to decide")
        with transaction.atomic():
            approvals.decide(request=pending, kind=kind,
                             comment=request.POST.get("comment", "")[:4000], actor=request.user)
            application.refresh_from_db()
            if amount is not None and application.status == Status.APPROVED:
                payouts.confirm_amount(application=application, amount=amount,
                                       actor=request.user, request=request)
    except approvals.ApprovalRefused:
        messages.error(request, _("This decision is not possible. It may be another person's "
                                  "step, or a comment is missing."))
    except payouts.PayoutRefused:
        messages.error(request, _("The amount paid must be between 1 and 9,999,999,999 yen."))
    else:
        _done(request, "approval.decide", application, _("Your decision was recorded."),
              kind=kind)
    return _to_case(application)


ROUTE_ROLES = ("approver", "head")
MAX_ROUTE_STEPS = 4


@staff_required
@require_http_methods(["GET", "POST"])
def procedure_workflow(request: HttpRequest, slug: str) -> HttpResponse:
    """An administrator sets a procedure's status machine and approval route."""
    staff = staff_member(request)
    if not staff.is_admin:
        raise PermissionDenied
    procedure = catalog_selectors.department_procedure(staff.department_id, slug)
    # Withdrawal is the system's step (an account deleted), never a transition to set.
    statuses = [choice for choice in Status.choices if choice[0] != Status.WITHDRAWN]
    current = transitions_for(procedure.pk)
    route = approval_selectors.route_of(procedure.pk)
    steps = list(route.steps) if route else []
    errors: list[str] = []
    if request.method == "POST":
        grid = {source: [target for target, _label in statuses
                         if request.POST.get(f"t-{source}-{target}") == "on" and target != source]
                for source, _label in statuses}
        new_steps = []
        for index in range(MAX_ROUTE_STEPS):
            role = request.POST.get(f"step-{index}-role", "")
            label = request.POST.get(f"step-{index}-label", "").replace("\x00", "").strip()[:40]
            if role in ROUTE_ROLES:
                title = label or str(StaffMember.Role(role).label)
                new_steps.append({"role": role, "label": {"ja": title, "en": title}})
        try:
            approvals.save_workflow(request=request, procedure=procedure, transitions=grid,
                                    steps=new_steps)
        except approvals.ApprovalRefused:
            errors.append(_("With an approval route, “Under review” must be able to go to "
                            "“Awaiting approval”."))
        else:
            messages.success(request, _("The workflow was saved."))
            return redirect("staff:procedure_workflow", slug=procedure.slug)
        current, steps = grid, new_steps
    padded = steps + [{"role": "", "label": {}}] * (MAX_ROUTE_STEPS - len(steps))
    return render(request, "approvals/staff/workflow_settings.html", {
        "procedure": procedure, "statuses": statuses,
        "grid": [(s, label, [(t, tl, t in current.get(s, ())) for t, tl in statuses])
                 for s, label in statuses],
        "steps": [(i, step) for i, step in enumerate(padded)],
        "roles": [(r, StaffMember.Role(r).label) for r in ROUTE_ROLES],
        "errors": errors,
    }, status=422 if errors else 200)


@case_handler_required
@require_POST
def issue_document(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """交付: sign and issue the decision notice, then mark the case 交付済 (issued).

    An approved case gets a 決定通知書 or 交付決定通知書; a rejected one a 却下通知書 and keeps its
    status (it is already final)."""
    application = _case(request, public_id)
    staff = staff_member(request)
    kind = request.POST.get("kind", "")[:20]
    allowed = services.issuable_kinds(application)
    if kind not in allowed or not staff.handles_cases:
        messages.error(request, _("This document cannot be issued for the case now."))
        return _to_case(application)
    try:
        document = issuance.issue_for_case(application, kind, request.user)
    except issuance.IssueRefused as exc:
        # Missing fonts and unprintable characters are said as they are (which package, which
        # character); anything else gets the general message.
        messages.error(request, exc.user_message() or _(
            "The document could not be issued. Check the case and the city's signing "
            "certificate."))
    else:
        messages.success(request, _("Issued %(number)s. The resident was told by e-mail.")
                         % {"number": document.number})
    return _to_case(application)


@staff_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    """An administrator's list of the department's procedures, each with its workflow."""
    staff = staff_member(request)
    if not staff.is_admin:
        raise PermissionDenied
    return render(request, "approvals/staff/procedures.html",
                  {"procedures": approval_selectors.department_procedures(staff)})
