"""The audit log page for administrators (``/staff/audit/``).

Scope: administrators belong to a department like every staff member, and every other staff
permission is per department, so an administrator sees their own department's events: those
whose actor is a staff member of the department, and those about a staff account of the
department (``target_type="user"``: failed codes, authenticator resets). Residents' and
anonymous events are not shown here. Looking at the page is itself an audit event.

Values are shown "CP932-safe": a character that Shift_JIS (CP932) terminals, printers and CSV
tools cannot show is kept and followed by its code point, and invisible characters (controls,
bidirectional overrides, zero-width marks) are replaced by their code point, so nothing in an
event can hide or disguise what it says.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from madoguchi.core import audit
from madoguchi.core.models import AuditEvent, User

from .models import StaffMember
from .permissions import role_required, staff_member

PAGE_SIZE = 50
DETAILS_LIMIT = 500
# JIS X 0208 characters whose Unicode mapping differs between Shift_JIS and CP932 (〜‖−¢£¬—):
# they are shown as they are, as every Japanese terminal shows one of the two forms.
JIS_MAPPING_VARIANTS = frozenset("\u301c\u2016\u2212\u00a2\u00a3\u00ac\u2014")
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _in_cp932(ch: str) -> bool:
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return ch in JIS_MAPPING_VARIANTS
    return True


def cp932_safe_html(value: Any) -> SafeString:
    """``value`` as escaped HTML in which every character is visible and CP932-displayable."""
    text = "" if value is None else str(value)
    parts: list[str] = []
    run: list[str] = []
    for ch in text:
        hidden = unicodedata.category(ch) in HIDDEN_CATEGORIES
        if not hidden and _in_cp932(ch):
            run.append(ch)
            continue
        if run:
            parts.append(escape("".join(run)))
            run = []
        code = f"U+{ord(ch):04X}"
        if hidden:
            parts.append(format_html('<small class="meta codepoint">[{}]</small>', code))
        else:
            parts.append(format_html('{}<small class="meta codepoint">({})</small>', ch, code))
    if run:
        parts.append(escape("".join(run)))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("Who (e-mail address or name)"), required=False,
                            max_length=200)
    action = forms.CharField(
        label=_("Action"), required=False, max_length=64,
        help_text=_("The start of the action name, for example signin or application.view."),
    )
    target_id = forms.CharField(label=_("Target ID"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From (date)"), required=False, widget=DateInput(),
                                input_formats=["%Y-%m-%d"],
                                error_messages={"invalid": _("Enter a date like 2026-11-23.")})
    date_to = forms.DateField(label=_("To (date)"), required=False, widget=DateInput(),
                              input_formats=["%Y-%m-%d"],
                              error_messages={"invalid": _("Enter a date like 2026-11-23.")})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events_for_department(department_id: int) -> QuerySet[AuditEvent]:
    """Events by the department's staff or about their accounts, newest first."""
    user_ids = [str(pk) for pk in User.objects.filter(
        staff_profile__department_id=department_id).values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(actor__staff_profile__department_id=department_id)
            | Q(target_type="user", target_id__in=user_ids)
        )
        .select_related("actor__staff_profile")
        .order_by("-at", "-id")
    )


def search(events: QuerySet[AuditEvent], data: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Narrow ``events`` by the cleaned search form."""
    if actor := (data.get("actor") or "").strip():
        events = events.filter(
            Q(actor_label__icontains=actor) | Q(actor__display_name__icontains=actor)
            | Q(actor__staff_profile__family_name__icontains=actor)
        )
    if action := (data.get("action") or "").strip():
        events = events.filter(action__istartswith=action)
    if target_id := (data.get("target_id") or "").strip():
        events = events.filter(target_id=target_id)
    if data.get("date_from"):
        events = events.filter(at__gte=_start_of(data["date_from"]))
    if data.get("date_to"):
        events = events.filter(at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
    return events


def _row(event: AuditEvent) -> dict[str, Any]:
    profile: StaffMember | None = getattr(event.actor, "staff_profile", None) \
        if event.actor_id else None
    details = json.dumps(event.details, ensure_ascii=False, sort_keys=True) \
        if event.details else ""
    if len(details) > DETAILS_LIMIT:
        details = details[:DETAILS_LIMIT] + "…"
    return {
        "event": event,
        "actor": cp932_safe_html(event.actor_label),
        "actor_name": cp932_safe_html(profile) if profile else "",
        "action": cp932_safe_html(event.action),
        "target": cp932_safe_html(
            f"{event.target_type}:{event.target_id}" if event.target_type else event.target_id
        ),
        "details": cp932_safe_html(details),
    }


@role_required(StaffMember.Role.ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    admin = staff_member(request)
    form = AuditSearchForm(request.GET or None)
    events = events_for_department(admin.department_id)
    if form.is_bound and form.is_valid():
        events = search(events, form.cleaned_data)
        filters = {k: str(v) for k, v in form.cleaned_data.items() if v}
    elif form.is_bound:
        events = events.none()
        filters = {"invalid": True}
    else:
        filters = {}
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(e) for e in page]  # read before this view's own event is added
    audit.record(request, "audit.view", target_type="department",
                 target_id=str(admin.department_id),
                 details={"filters": filters, "page": page.number})
    return render(request, "staff/audit.html", {
        "form": form, "page": page, "rows": rows, "department": admin.department,
    })
