"""Staff pages for applications: the department inbox, a case, and status changes."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.core import audit
from madoguchi.forms import selectors as form_selectors
from madoguchi.forms.fields_upload import open_upload
from madoguchi.staff.permissions import staff_member, staff_required

from . import selectors, services
from .models import REASON_REQUIRED, Status

PAGE_SIZE = 50


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    staff = staff_member(request)
    status = request.GET.get("status", "")
    if status not in Status.values:  # an unknown filter shows all (and may hold a NUL byte)
        status = ""
    page = Paginator(selectors.inbox(staff, status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit.record(request, "application.list.staff", target_type="department",
                 target_id=str(staff.department_id),
                 details={"status": status[:20], "page": page.number})
    return render(
        request,
        "applications/staff/inbox.html",
        {"staff": staff, "page": page, "status": status, "statuses": Status.choices,
         "counts": selectors.status_counts(staff)},
    )


@staff_required
def case(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One application with all its answers. Each view of the personal data is audit-logged."""
    staff = staff_member(request)
    application = selectors.get_for_staff(staff, public_id)
    audit.record(request, "application.view.staff", target_type="application",
                 target_id=str(application.public_id))
    spec = form_selectors.spec_of(application.form_version)
    answers = services.all_answers(application)
    summary = spec.summary(answers)
    attachments = [
        {"label": field.label, "key": field.key, "index": index, "item": item}
        for field in spec.fields() if field.type_name == "file"
        for index, item in enumerate(answers.get(field.key) or [])
    ]
    transitions = [(s, Status(s).label, s in REASON_REQUIRED)
                   for s in services.manual_transitions(application)]
    return render(
        request,
        "applications/staff/case.html",
        {"staff": staff, "application": application, "summary": summary,
         "events": application.events.all(), "transitions": transitions,
         "attachments": attachments},
    )


@staff_required
def attachment(request: HttpRequest, public_id: uuid.UUID, key: str, index: int) -> FileResponse:
    """Download a file the resident attached (audit-logged like every view of the case)."""
    staff = staff_member(request)
    application = selectors.get_for_staff(staff, public_id)
    spec = form_selectors.spec_of(application.form_version)
    field = spec.field(key)
    items = services.all_answers(application).get(key) if field is not None else None
    if field is None or field.type_name != "file" or not isinstance(items, list) \
            or not 0 <= index < len(items):
        raise Http404
    item = items[index]
    audit.record(request, "application.attachment.staff", target_type="application",
                 target_id=str(application.public_id), details={"field": key, "index": index})
    try:
        handle = open_upload(item)
    except (OSError, ValueError) as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=item.get("name") or "attachment",
                        content_type=item.get("content_type") or "application/octet-stream")


@staff_required
@require_POST
def change_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    staff = staff_member(request)
    application = selectors.get_for_staff(staff, public_id)
    to_status = request.POST.get("to_status", "")[:20]
    reason = request.POST.get("reason", "")[:2000].replace("\x00", "")
    try:
        services.change_status(
            application=application, to_status=to_status, actor=request.user, reason=reason
        )
    except services.TransitionRefused:
        if to_status in REASON_REQUIRED and not reason.strip():
            messages.error(request, _("Enter a reason. It will be shown to the resident."))
        else:
            messages.error(request, _("This status change is not possible now."))
    else:
        audit.record(request, "application.status", target_type="application",
                     target_id=str(application.public_id), details={"to": to_status})
        messages.success(request, _("The status was changed to %(status)s.")
                         % {"status": Status(to_status).label})
    return redirect("staff:case", public_id=application.public_id)
