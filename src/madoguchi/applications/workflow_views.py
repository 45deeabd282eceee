"""Staff steps on a case besides the status buttons: 差戻し (ask the resident to correct), 起案
and decisions of the approval route, and issuing the decision document."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.approvals import selectors as approval_selectors
from madoguchi.approvals import services as approvals
from madoguchi.approvals.models import ApprovalRoute
from madoguchi.catalog.models import Procedure
from madoguchi.core import audit
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import case_handler_required, staff_member, staff_required

from . import selectors, services
from .models import Status, Workflow, transitions_for


def _case(request: HttpRequest, public_id: uuid.UUID):  # an Application
    return selectors.get_for_staff(staff_member(request), public_id)


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
        audit.record(request, "application.correction", target_type="application",
                     target_id=str(application.public_id), details={"round": correction.round})
        messages.success(request, _("The resident was asked to correct the answers."))
    return redirect("staff:case", public_id=application.public_id)


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
        audit.record(request, "approval.start", target_type="application",
                     target_id=str(application.public_id))
        messages.success(request, _("The case was sent for approval."))
    return redirect("staff:case", public_id=application.public_id)


@case_handler_required
@require_POST
def decide(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _case(request, public_id)
    pending = approval_selectors.pending(application)
    kind = request.POST.get("kind", "")[:10]
    try:
        if pending is None:
            raise approvals.ApprovalRefused("nothing to decide")
        approvals.decide(request=pending, kind=kind,
                         comment=request.POST.get("comment", "")[:4000], actor=request.user)
    except approvals.ApprovalRefused:
        messages.error(request, _("This decision is not possible. It may be another person's "
                                  "step, or a comment is missing."))
    else:
        audit.record(request, "approval.decide", target_type="application",
                     target_id=str(application.public_id), details={"kind": kind})
        messages.success(request, _("Your decision was recorded."))
    return redirect("staff:case", public_id=application.public_id)


ROUTE_ROLES = ("approver", "head")
MAX_ROUTE_STEPS = 4


@staff_required
@require_http_methods(["GET", "POST"])
def procedure_workflow(request: HttpRequest, slug: str) -> HttpResponse:
    """An administrator sets a procedure's status machine and approval route."""
    staff = staff_member(request)
    if not staff.is_admin:
        raise PermissionDenied
    procedure = get_object_or_404(Procedure, slug=slug, department_id=staff.department_id)
    statuses = list(Status.choices)
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
        if new_steps and Status.IN_APPROVAL not in grid[Status.UNDER_REVIEW]:
            errors.append(_("With an approval route, “Under review” must be able to go to "
                            "“Awaiting approval”."))
        if not errors:
            Workflow.objects.update_or_create(
                procedure=procedure,
                defaults={"transitions": grid, "updated_by": request.user,
                          "updated_at": timezone.now()},
            )
            if new_steps:
                approvals.set_route(procedure.pk, new_steps)
            else:
                ApprovalRoute.objects.filter(procedure=procedure).delete()
            audit.record(request, "procedure.workflow", target_type="procedure",
                         target_id=procedure.slug, details={"steps": len(new_steps)})
            messages.success(request, _("The workflow was saved."))
            return redirect("staff:procedure_workflow", slug=procedure.slug)
        current, steps = grid, new_steps
    padded = steps + [{"role": "", "label": {}}] * (MAX_ROUTE_STEPS - len(steps))
    return render(request, "applications/staff/workflow_settings.html", {
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
    from madoguchi.issuance import services as issuance
    from madoguchi.issuance.signing import SigningUnavailable

    application = _case(request, public_id)
    staff = staff_member(request)
    kind = request.POST.get("kind", "")[:20]
    allowed = services.issuable_kinds(application)
    if kind not in allowed or not staff.handles_cases:
        messages.error(request, _("This document cannot be issued for the case now."))
        return redirect("staff:case", public_id=application.public_id)
    try:
        with transaction.atomic():
            document = issuance.issue(application, kind, request.user)
            if application.status == Status.APPROVED:
                services.change_status(application=application, to_status=Status.ISSUED,
                                       actor=request.user, step="issuance")
    except (issuance.IssueRefused, SigningUnavailable, services.TransitionRefused) as exc:
        # Missing fonts and unprintable characters are said as they are (which package, which
        # character); anything else gets the general message.
        said = exc.user_message() if isinstance(exc, issuance.IssueRefused) else ""
        messages.error(request, said or _("The document could not be issued. Check the case "
                                          "and the city's signing certificate."))
    else:
        messages.success(request, _("Issued %(number)s. The resident was told by e-mail.")
                         % {"number": document.number})
    return redirect("staff:case", public_id=application.public_id)



@staff_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    """An administrator's list of the department's procedures, each with its workflow."""
    staff = staff_member(request)
    if not staff.is_admin:
        raise PermissionDenied
    procedures = Procedure.objects.filter(department_id=staff.department_id).order_by(
        "sort_order", "pk"
    ).select_related("approval_route")
    return render(request, "applications/staff/procedures.html", {"procedures": procedures})
