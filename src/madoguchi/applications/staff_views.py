"""Staff pages for applications: the department inbox, a case, status changes (one or in
bulk), who is assigned, and internal comments."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from madoguchi.catalog.models import Procedure
from madoguchi.core import audit, language_names
from madoguchi.forms import selectors as form_selectors
from madoguchi.forms.fields.upload import download_name, open_upload
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import case_handler_required, role_required, staff_member

from . import case_panels, casework, retention, selectors, services, stats, timeline
from . import inbox as inbox_filters
from .models import MANUAL_TARGETS, REASON_REQUIRED, Application, Status

# The types the case page shows inline, and how: browsers render these themselves. Anything
# else (HEIC, and any type that could carry script such as HTML or SVG) only downloads.
INLINE_TYPES = {"image/jpeg": "image", "image/png": "image", "application/pdf": "pdf"}
# Every attachment response is sandboxed (no script, no forms, no requests of its own), and only
# the case page (same origin) may frame it.
ATTACHMENT_CSP = ("sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                  "frame-ancestors 'self'")


@case_handler_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The department's applications: filters, search, sorts and keyset pages (see inbox.py)."""
    staff = staff_member(request)
    procedures, assignable = selectors.inbox_choices(staff)
    filters = _filters(request.GET, staff, procedures, assignable)
    page = selectors.inbox_page(staff, filters)
    counts = selectors.status_counts(staff)
    audit.record(request, "application.list.staff", target_type="department",
                 target_id=str(staff.department_id),
                 details={**filters.params(), "after": bool(filters.after),
                          "before": bool(filters.before)})
    labels = {"status": _("Status"), "procedure": _("Procedure"), "from": _("Submitted from"),
              "to": _("Submitted to"), "assignee": _("Assigned to"), "q": _("Search"),
              "sort": _("Sort by")}
    return render(
        request,
        "applications/staff/inbox.html",
        {"staff": staff, "page": page, "filters": filters, "status": filters.status,
         "rows": inbox_filters.rows_with_timing(page.rows, timezone.localdate()),
         "case_query": _case_query(filters),
         "sort_urls": {"newest": filters.querystring(sort=""),
                       "oldest": filters.querystring(sort="oldest")},
         "statuses": Status.choices, "counts": counts,
         "tabs": [(value, label, counts[value]) for value, label in Status.choices],
         "procedures": procedures, "assignable": assignable, "sorts": inbox_filters.SORTS,
         "ignored": [labels[name] for name in filters.ignored],
         "bulk_targets": [(s, Status(s).label) for s in Status.values if s in MANUAL_TARGETS],
         "back": filters.querystring().lstrip("?"),
         "first_url": filters.querystring(),
         "next_url": filters.querystring(after=page.next_cursor),
         "previous_url": filters.querystring(before=page.previous_cursor)},
    )


@case_handler_required
def case(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One application with all its answers, its actions beside them, and the cases before and
    after it in the inbox the clerk came from (its filters ride along in the query string).
    Each view of the personal data is audit-logged."""
    staff = staff_member(request)
    application = selectors.get_for_staff(staff, public_id)
    audit.record(request, "application.view.staff", target_type="application",
                 target_id=str(application.public_id))
    spec = form_selectors.spec_of(application.form_version)
    answers = services.all_answers(application)
    # The form's own labels and options in the office's language (Japanese; English for an
    # English-speaking clerk), whatever language the resident applied in.
    with translation.override(language_names.office_language()):
        summary = spec.summary(answers)
    attachments = [
        {"label": field.label, "key": field.key, "index": index, "item": item,
         "view": INLINE_TYPES.get(str(item.get("content_type")), "")
         if isinstance(item, dict) else ""}
        for field in spec.fields() if field.type_name == "file"
        for index, item in enumerate(answers.get(field.key) or [])
    ]
    transitions = [(s, Status(s).label, s in REASON_REQUIRED)
                   for s in services.manual_transitions(application)]
    filters = _filters(request.GET, staff, *selectors.inbox_choices(staff))
    around = selectors.neighbours(staff, filters, application)
    query = _case_query(filters)
    return render(
        request,
        "applications/staff/case.html",
        {"staff": staff, "application": application, "summary": summary,
         "steps": timeline.steps(application, for_staff=True),
         "progress": timeline.progress(application), "transitions": transitions,
         "attachments": attachments, "neighbours": around, "case_query": query,
         "back": filters.querystring().lstrip("?"),
         "timing": inbox_filters.timing(application, timezone.localdate()),
         "may_hold": staff.role in (StaffMember.Role.HEAD, StaffMember.Role.ADMIN),
         "panels": case_panels.panels(application),
         "applied_in": language_names.label(application.language)},
    )


@xframe_options_sameorigin
@case_handler_required
def attachment(request: HttpRequest, public_id: uuid.UUID, key: str, index: int) -> FileResponse:
    """Download a file the resident attached (audit-logged like every view of the case).

    With ``?inline=1`` a JPEG, PNG or PDF is shown in the page (the case page's viewer frames
    it); every other type still downloads. The response is sandboxed either way.
    """
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
    # Named by what the content is (a PNG sent as "pass.pdf" downloads as "pass.png"), with the
    # type found in its bytes; the browser must not guess another one.
    content_type = item.get("content_type") or "application/octet-stream"
    inline = request.GET.get("inline") == "1" and content_type in INLINE_TYPES
    response = FileResponse(handle, as_attachment=not inline, filename=download_name(item),
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    return response


@case_handler_required
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
    return redirect(_case_url(request, staff, application))


def _filters(params: QueryDict, staff: StaffMember, procedures: list[Procedure],
             assignable: list[StaffMember]) -> inbox_filters.InboxFilters:
    return inbox_filters.parse_filters(
        params, procedures={p.slug: p.pk for p in procedures},
        assignable={m.user_id: m for m in assignable}, user_id=staff.user_id,
    )


def _case_query(filters: inbox_filters.InboxFilters) -> str:
    """The query string that carries the inbox's filters to a case page ("" for none)."""
    return filters.querystring().rstrip("?")


def _back_filters(request: HttpRequest, staff: StaffMember) -> inbox_filters.InboxFilters:
    """The inbox filters the POST came from (re-read, so only valid ones survive)."""
    back = QueryDict(request.POST.get("back", "")[:1000])
    return _filters(back, staff, *selectors.inbox_choices(staff))


def _inbox_url(request: HttpRequest, staff: StaffMember) -> str:
    """The inbox with the filters the POST came from."""
    return reverse("staff:inbox") + _case_query(_back_filters(request, staff))


def _case_url(request: HttpRequest, staff: StaffMember, application: Application) -> str:
    """The case page, still within the inbox filters the POST came from."""
    return (reverse("staff:case", args=[application.public_id])
            + _case_query(_back_filters(request, staff)))


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    for value in values[: casework.MAX_BULK * 2]:
        try:
            parsed = uuid.UUID(value[:36])
        except ValueError:
            continue
        if parsed not in found:
            found.append(parsed)
    return found[: casework.MAX_BULK]


@case_handler_required
@require_POST
def bulk_status(request: HttpRequest) -> HttpResponse:
    """Change the status of the cases ticked in the inbox, after a confirmation page.

    The first POST shows how many cases will change and asks once; the confirming POST applies
    :func:`services.change_status` to each, with one audit event per changed case, and reports
    which were refused (the status machine does not allow the change from their status).
    """
    staff = staff_member(request)
    back = _inbox_url(request, staff)
    to_status = request.POST.get("to_status", "")[:20]
    reason = request.POST.get("reason", "")[:2000].replace("\x00", "").strip()
    applications = selectors.for_staff_many(staff, _uuids(request.POST.getlist("case")))
    if not applications:
        messages.error(request, _("Select at least one application."))
        return redirect(back)
    if to_status not in MANUAL_TARGETS:
        messages.error(request, _("Choose the new status."))
        return redirect(back)
    label = Status(to_status).label
    needs_reason = to_status in REASON_REQUIRED
    missing_reason = needs_reason and not reason
    if request.POST.get("confirm") != "yes" or missing_reason:
        return render(request, "applications/staff/bulk_confirm.html", {
            "staff": staff, "applications": applications, "to_status": to_status,
            "label": label, "needs_reason": needs_reason, "reason": reason,
            "error": missing_reason and request.POST.get("confirm") == "yes",
            "back": request.POST.get("back", "")[:1000].replace("\x00", ""), "cancel": back,
        })
    result = casework.bulk_change_status(applications=applications, to_status=to_status,
                                         actor=request.user, reason=reason)
    for application in result.changed:
        audit.record(request, "application.status", target_type="application",
                     target_id=str(application.public_id),
                     details={"to": to_status, "bulk": True})
    if result.changed:
        messages.success(request, ngettext(
            "%(count)d application was changed to %(status)s.",
            "%(count)d applications were changed to %(status)s.", len(result.changed),
        ) % {"count": len(result.changed), "status": label})
    if result.refused:
        messages.error(request, ngettext(
            "%(count)d application could not be changed to %(status)s from its status: "
            "%(numbers)s",
            "%(count)d applications could not be changed to %(status)s from their status: "
            "%(numbers)s", len(result.refused),
        ) % {"count": len(result.refused), "status": label,
             "numbers": "、".join(a.receipt_number or str(a.public_id) for a in result.refused)})
    return redirect(back)


@case_handler_required
@require_POST
def assign(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Give the case to a staff member of the department, to oneself ("me"), or to nobody."""
    staff = staff_member(request)
    application = selectors.get_for_staff(staff, public_id)
    value = request.POST.get("assignee", "")[:20]
    members = {str(m.user_id): m for m in selectors.assignable_staff(staff.department_id)}
    if value == inbox_filters.ASSIGNEE_ME:
        value = str(staff.user_id)
    if value and value not in members:
        messages.error(request, _("Choose a member of your department."))
        return redirect(_case_url(request, staff, application))
    assignee = members[value].user if value else None
    try:
        casework.assign(application=application, assignee=assignee, actor=request.user)
    except casework.AssignmentRefused:
        messages.error(request, _("Choose a member of your department."))
        return redirect(_case_url(request, staff, application))
    audit.record(request, "application.assign", target_type="application",
                 target_id=str(application.public_id),
                 details={"assignee": assignee.pk if assignee else None})
    if assignee is None:
        messages.success(request, _("Nobody is assigned to this application now."))
    else:
        messages.success(request, _("%(name)s is assigned to this application.")
                         % {"name": members[value]})
    return redirect(_case_url(request, staff, application))


@case_handler_required
@require_POST
def add_comment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Append an internal comment to the case (staff only; never shown to the resident)."""
    staff = staff_member(request)
    application = selectors.get_for_staff(staff, public_id)
    text = request.POST.get("text", "")[: casework.MAX_COMMENT_LENGTH * 2]
    try:
        comment = casework.add_comment(application=application, author=request.user, text=text)
    except casework.CommentRefused:
        messages.error(request, _("Write the comment before adding it."))
    else:
        audit.record(request, "application.comment", target_type="application",
                     target_id=str(application.public_id), details={"comment": comment.pk})
        messages.success(request, _("The comment was added."))
    return redirect(_case_url(request, staff, application) + "#comments")


@case_handler_required
@require_POST
def legal_hold(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Place or lift a legal hold (訴訟ホールド) on the case, with a reason; both are audited.
    Only a department head or administrator may, as the hold overrides the retention period."""
    staff = staff_member(request)
    application = selectors.get_for_staff(staff, public_id)
    if staff.role not in (StaffMember.Role.HEAD, StaffMember.Role.ADMIN):
        raise PermissionDenied
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "").replace("\x00", "").strip()[:retention.MAX_HOLD_REASON]
    if action not in ("place", "lift"):
        messages.error(request, _("Choose to place or to lift the legal hold."))
    elif not reason:
        messages.error(request, _("Write the reason for the legal hold."))
    else:
        try:
            if action == "place":
                retention.place_hold(application, actor=request.user, reason=reason)
            else:
                retention.lift_hold(application)
        except retention.HoldRefused:
            messages.error(request, _("This case is not under a legal hold."))
        else:
            audit.record(request, f"application.legal_hold.{action}", target_type="application",
                         target_id=str(application.public_id), details={"reason": reason})
            messages.success(request, _("The legal hold was placed.") if action == "place"
                             else _("The legal hold was lifted."))
    return redirect(_case_url(request, staff, application) + "#hold-title")


@role_required(StaffMember.Role.DX, StaffMember.Role.HEAD, StaffMember.Role.ADMIN)
def stats_view(request: HttpRequest) -> HttpResponse:
    """Applications of the whole city per month, procedure and status: counts only."""
    return render(request, "applications/staff/stats.html", {
        "months": stats.monthly_application_counts(list(Status.values)),
        "statuses": Status.choices,
    })
