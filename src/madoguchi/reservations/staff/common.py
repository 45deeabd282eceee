"""What the staff reservation pages share: the way back to the roster, the audit record of a
booking view, form errors for the error summary, and how a slot or a day is named."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone

from madoguchi.core import audit
from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp.errors import JPValueError

from ..models import Booking, Slot


def parse_day(value: Any) -> dt.date | None:
    """A day typed as 2026-12-04 or 令和8年12月4日; None when empty or not a date."""
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return None
    try:
        day = jp_wareki.parse_date(value.strip())
    except (JPValueError, ValueError, OverflowError):
        return None
    return day if 1900 <= day.year <= 2999 else None


def roster_url(day: dt.date, service: str = "", venue: str = "", anchor: str = "") -> str:
    params = {"date": day.isoformat()}
    if service:
        params["service"] = service
    if venue:
        params["venue"] = venue
    return f"{reverse('reservations_staff:roster')}?{urlencode(params)}{anchor}"


def back_url(request: HttpRequest, booking_or_slot: Booking | Slot) -> str:
    """Where to return after an action: the roster the form came from (same filters), else
    the roster of the slot's day."""
    slot = booking_or_slot.slot if isinstance(booking_or_slot, Booking) else booking_or_slot
    day = timezone.localtime(slot.starts_at).date()
    query = QueryDict(str(request.POST.get("back") or request.GET.get("back") or "")[:300])
    return roster_url(parse_day(query.get("date", "")) or day,
                      service=str(query.get("service", ""))[:50],
                      venue=str(query.get("venue", ""))[:50])


def back_query(request: HttpRequest) -> str:
    """The roster filters the page was opened from, to carry through its forms."""
    value = request.POST.get("back") if request.method == "POST" else request.GET.get("back")
    return str(value or "")[:300].replace("\x00", "")


def record_booking_view(request: HttpRequest, booking: Booking, page: str) -> None:
    audit.record(request, "reservation.booking.view.staff", target_type="booking",
                 target_id=str(booking.public_id), details={"page": page})


def form_errors(form: forms.Form, ids: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The form's errors for the error summary, each linked to its input."""
    ids = ids or {}
    return [{"input_id": ids.get(name, f"id_{name}"), "message": str(message)}
            for name, errors in form.errors.items() for message in errors]


def slot_label(slot: Slot) -> str:
    start = timezone.localtime(slot.starts_at)
    return (f"{localized(slot.service.name)} {display_date(start.date())} "
            f"{start:%H:%M}–{timezone.localtime(slot.ends_at):%H:%M} {slot.room}")
