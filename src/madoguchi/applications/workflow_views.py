"""Staff steps on a case besides the status buttons: 差戻し (ask the resident to correct), 起案
and decisions of the approval route, and issuing the decision document."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.approvals import selectors as approval_selectors
from madoguchi.approvals import services as approvals
from madoguchi.core import audit
from madoguchi.staff.permissions import staff_member, staff_required

from . import selectors, services


def _case(request: HttpRequest, public_id: uuid.UUID):  # noqa: ANN202 - an Application
    return selectors.get_for_staff(staff_member(request), public_id)


@staff_required
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


@staff_required
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


@staff_required
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
