"""Staff pages for reservations: the day roster with check-in, phone bookings, moving and
cancelling a booking, closing a slot or a day, extra sessions, CSV export and utilisation.

Only staff who work on cases (clerk, approver, head, admin) use these pages, and only for their
own department's services: another department's booking or slot is 404. The DX office may see
utilisation counts of the whole city (no personal data). Every page that shows a person's
booking details writes an audit event, and every change is audit-logged.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.applications.export_views import JapaneseDateField
from madoguchi.core import audit
from madoguchi.core.i18n import localized
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp.errors import JPValueError
from madoguchi.jp.width import to_ascii
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import case_handler_required, staff_member, staff_required

from .. import exports, services, stats
from ..forms import DetailsForm
from ..models import Booking, Service, Slot
from ..services import BookingRefused
from . import selectors as staff_selectors
from . import services as staff_services
from .services import StaffActionRefused

MAX_PERIOD_DAYS = 732
_TIME = re.compile(r"(\d{1,2})[:：時](\d{2})分?")


# --- helpers ------------------------------------------------------------------------------

def _parse_day(value: Any) -> dt.date | None:
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


def _back(request: HttpRequest, booking_or_slot: Booking | Slot) -> str:
    """Where to return after an action: the roster the form came from (same filters), else
    the roster of the slot's day."""
    slot = booking_or_slot.slot if isinstance(booking_or_slot, Booking) else booking_or_slot
    day = timezone.localtime(slot.starts_at).date()
    query = QueryDict(str(request.POST.get("back") or request.GET.get("back") or "")[:300])
    return roster_url(_parse_day(query.get("date", "")) or day,
                      service=str(query.get("service", ""))[:50],
                      venue=str(query.get("venue", ""))[:50])


def _back_query(request: HttpRequest) -> str:
    value = request.POST.get("back") if request.method == "POST" else request.GET.get("back")
    return str(value or "")[:300].replace("\x00", "")


def _record_booking_view(request: HttpRequest, booking: Booking, page: str) -> None:
    audit.record(request, "reservation.booking.view.staff", target_type="booking",
                 target_id=str(booking.public_id), details={"page": page})


def _errors(form: forms.Form, ids: dict[str, str] | None = None) -> list[dict[str, str]]:
    ids = ids or {}
    return [{"input_id": ids.get(name, f"id_{name}"), "message": str(message)}
            for name, errors in form.errors.items() for message in errors]


def _slot_label(slot: Slot) -> str:
    start = timezone.localtime(slot.starts_at)
    from madoguchi.core.dates import display_date

    return (f"{localized(slot.service.name)} {display_date(start.date())} "
            f"{start:%H:%M}–{timezone.localtime(slot.ends_at):%H:%M} {slot.room}")


# --- roster -------------------------------------------------------------------------------

@case_handler_required
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    """The department's bookings on one day, per service and slot, with check-in buttons."""
    staff = staff_member(request)
    today = timezone.localdate()
    typed = str(request.GET.get("date", ""))[:40]
    day = _parse_day(typed) if typed else today
    bad_date = day is None
    day = day or today
    services_qs = staff_selectors.department_services(staff)
    venues = staff_selectors.department_venues(staff)
    service_code = str(request.GET.get("service", ""))[:50]
    venue_code = str(request.GET.get("venue", ""))[:50]
    service = services_qs.filter(code=service_code).first() if service_code else None
    venue = venues.filter(code=venue_code).first() if venue_code else None
    groups = staff_selectors.roster(staff, day, service=service, venue=venue)
    shown = sum(len(s.bookings) + len(s.cancelled) for g in groups for s in g.slots)
    audit.record(request, "reservation.roster.view", target_type="department",
                 target_id=str(staff.department_id),
                 details={"date": day.isoformat(), "service": service.code if service else "",
                          "venue": venue.code if venue else "", "bookings": shown})
    now = timezone.now()
    back = urlencode({k: v for k, v in (("date", day.isoformat()),
                                        ("service", service.code if service else ""),
                                        ("venue", venue.code if venue else "")) if v})
    return render(request, "reservations/staff/roster.html", {
        "staff": staff, "day": day, "today": today, "typed": typed if bad_date else "",
        "bad_date": bad_date, "groups": groups, "services": services_qs, "venues": venues,
        "service": service, "venue": venue, "now": now, "back": back,
        "previous_day": roster_url(day - dt.timedelta(days=1), service_code if service else "",
                                   venue_code if venue else ""),
        "next_day": roster_url(day + dt.timedelta(days=1), service_code if service else "",
                               venue_code if venue else ""),
        "today_url": roster_url(today, service_code if service else "",
                                venue_code if venue else ""),
        "is_today": day == today, "is_future": day > today,
    })


# --- one booking --------------------------------------------------------------------------

@case_handler_required
@require_GET
def booking_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    staff = staff_member(request)
    booking = staff_selectors.get_booking(staff, public_id)
    _record_booking_view(request, booking, "detail")
    events = audit_trail(booking)
    return render(request, "reservations/staff/booking.html", {
        "staff": staff, "booking": booking, "slot": booking.slot, "events": events,
        "can_change": services.can_change(booking, by=request.user),
        "back_url": _back(request, booking), "back": _back_query(request),
    })


ACTION_LABELS = {
    "reservation.book.phone": gettext_lazy("Booked for a phone caller"),
    "reservation.check_in": gettext_lazy("Check-in recorded"),
    "reservation.move": gettext_lazy("Moved to another time"),
    "reservation.cancel.staff": gettext_lazy("Cancelled by staff"),
}


def audit_trail(booking: Booking) -> list[dict[str, Any]]:
    """The changes staff made to this booking (booked, check-in, move, cancel), oldest first."""
    from madoguchi.core.models import AuditEvent

    statuses = dict(Booking.Status.choices)
    events = (AuditEvent.objects.filter(target_type="booking", target_id=str(booking.public_id),
                                        action__in=list(ACTION_LABELS))
              .select_related("actor__staff_profile").order_by("at", "pk")[:100])
    out = []
    for event in events:
        details = event.details if isinstance(event.details, dict) else {}
        profile = getattr(event.actor, "staff_profile", None) if event.actor else None
        out.append({"at": event.at, "who": str(profile) if profile else event.actor_label,
                    "what": ACTION_LABELS[event.action],
                    "status": statuses.get(details.get("status"), "")})
    return out


@case_handler_required
@require_POST
def check_in(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Mark a booking attended or not come, or undo the mark; back to the roster row."""
    staff = staff_member(request)
    booking = staff_selectors.get_booking(staff, public_id)
    action = str(request.POST.get("action", ""))[:20]
    try:
        if action == "attended":
            booking = staff_services.check_in(booking, attended=True, by=request.user)
        elif action == "no_show":
            booking = staff_services.check_in(booking, attended=False, by=request.user)
        elif action == "undo":
            booking = staff_services.undo_check_in(booking, by=request.user)
        else:
            raise StaffActionRefused("action", _("Choose came or did not come."))
    except StaffActionRefused as refused:
        messages.error(request, refused.message)
    else:
        audit.record(request, "reservation.check_in", target_type="booking",
                     target_id=str(booking.public_id), details={"status": booking.status})
        messages.success(request, _("%(name)s: %(status)s.") % {
            "name": booking.full_name, "status": booking.get_status_display()})
    if request.POST.get("from") == "booking":
        url = reverse("reservations_staff:booking", args=[booking.public_id])
        back = _back_query(request)
        return redirect(f"{url}?{urlencode({'back': back})}" if back else url)
    return redirect(_back(request, booking) + f"#booking-{booking.public_id}")


@case_handler_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Ask once, naming the person and the time; on POST cancel the booking (the person is
    told by the usual cancellation notice)."""
    staff = staff_member(request)
    booking = staff_selectors.get_booking(staff, public_id)
    error = ""
    if request.method == "POST":
        reason = " ".join(str(request.POST.get("reason", ""))[:400].replace("\x00", "").split())
        try:
            services.cancel(booking, by=request.user, reason=reason[:200])
        except BookingRefused as refused:
            error = refused.message
        else:
            audit.record(request, "reservation.cancel.staff", target_type="booking",
                         target_id=str(booking.public_id),
                         details={"slot": booking.slot_id, "reason": reason[:200]})
            messages.success(request, _("The booking of %(name)s was cancelled.")
                             % {"name": booking.full_name})
            return redirect(_back(request, booking))
    _record_booking_view(request, booking, "cancel")
    return render(request, "reservations/staff/cancel.html", {
        "staff": staff, "booking": booking, "slot": booking.slot, "error": error,
        "back_url": _back(request, booking), "back": _back_query(request),
    }, status=400 if error else 200)


@case_handler_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Choose another time of the same service for a booking (staff may move after the
    residents' deadline); the person is told by the usual notice."""
    staff = staff_member(request)
    booking = staff_selectors.get_booking(staff, public_id)
    targets = staff_selectors.move_targets(booking)
    error = ""
    if request.method == "POST":
        chosen = str(request.POST.get("slot", ""))[:12]
        target = next((s for s in targets if str(s.pk) == chosen), None)
        if target is None:
            error = _("Choose the new time.")
        else:
            old_slot = booking.slot
            try:
                booking = services.move(booking, target, by=request.user)
            except BookingRefused as refused:
                error = refused.message
            else:
                audit.record(request, "reservation.move", target_type="booking",
                             target_id=str(booking.public_id),
                             details={"from_slot": old_slot.pk, "to_slot": target.pk})
                messages.success(request, _("The booking of %(name)s was moved to %(slot)s.")
                                 % {"name": booking.full_name, "slot": _slot_label(target)})
                return redirect(roster_url(timezone.localtime(target.starts_at).date())
                                + f"#booking-{booking.public_id}")
        targets = staff_selectors.move_targets(booking)
    _record_booking_view(request, booking, "move")
    days: dict[dt.date, list[Slot]] = {}
    for slot in targets:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    return render(request, "reservations/staff/move.html", {
        "staff": staff, "booking": booking, "slot": booking.slot, "days": sorted(days.items()),
        "error": error, "can_change": services.can_change(booking, by=request.user),
        "back_url": _back(request, booking), "back": _back_query(request),
        "days_ahead": staff_selectors.MOVE_DAYS_AHEAD,
    }, status=400 if error else 200)


# --- phone bookings -----------------------------------------------------------------------

class PhoneBookingForm(DetailsForm):
    """The caller's details, as the clerk types them; birth date and sex only when the
    service needs them (age or sex rules, once a year), e-mail optional."""

    REQUIRED_MESSAGES = {
        "family_name": gettext_lazy("Enter the caller's family name."),
        "given_name": gettext_lazy("Enter the caller's given name."),
        "family_kana": gettext_lazy("Enter the family name in katakana."),
        "given_kana": gettext_lazy("Enter the given name in katakana."),
        "birth_date": gettext_lazy("Enter the date of birth: this service has age rules."),
        "sex": gettext_lazy("Choose the sex: this service is for women or men only."),
        "phone": gettext_lazy("Enter a phone number the city can call back."),
        "request_token": gettext_lazy("The form has expired. Please try again."),
    }

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, service=service, email_required=False, **kwargs)
        self.fields["birth_date"].required = (service.min_age is not None
                                              or service.max_age is not None
                                              or service.one_per_fiscal_year)
        self.fields["sex"].required = service.sex != Service.SexRule.ANY

    def clean_birth_date(self) -> dt.date | None:  # type: ignore[override]
        if not self.cleaned_data.get("birth_date"):
            return None
        return super().clean_birth_date()


def _new_token() -> str:
    return f"staff:{secrets.token_urlsafe(24)}"


@case_handler_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slot_id: int) -> HttpResponse:
    """Book a seat for a phone caller: ``services.book`` with channel "phone" and the clerk as
    ``booked_by``. It never goes through the waiting room and ignores the residents' deadline;
    the seat rules (capacity, eligibility, once a year) still apply."""
    staff = staff_member(request)
    slot = staff_selectors.get_slot(staff, slot_id)
    refused = ""
    if request.method == "POST":
        form = PhoneBookingForm(request.POST, service=slot.service)
        if form.is_valid():
            token = form.cleaned_data["request_token"]
            repeated = Booking.objects.filter(request_token=token).exists()
            try:
                booking = services.book(
                    slot, person=form.person(), request_token=token,
                    channel=Booking.Channel.PHONE, booked_by=request.user)
            except BookingRefused as exc:
                refused = exc.message
            else:
                if repeated:  # the same form sent twice: already booked and logged
                    return redirect(_back(request, slot) + f"#booking-{booking.public_id}")
                audit.record(request, "reservation.book.phone", target_type="booking",
                             target_id=str(booking.public_id), details={"slot": slot.pk})
                messages.success(request, _("%(name)s is booked for %(slot)s.")
                                 % {"name": booking.full_name, "slot": _slot_label(slot)})
                return redirect(_back(request, slot) + f"#booking-{booking.public_id}")
    else:
        form = PhoneBookingForm(service=slot.service, initial={"request_token": _new_token()})
    slot.refresh_from_db()
    errors = _errors(form, {"sex": "id_sex_0", "request_token": "id_family_name"}) \
        if form.is_bound else []
    if refused:
        errors.append({"input_id": "id_family_name", "message": refused})
    return render(request, "reservations/staff/book.html", {
        "staff": staff, "slot": slot, "service": slot.service, "form": form, "errors": errors,
        "refused": refused, "bookable": slot.status == Slot.Status.OPEN
        and slot.starts_at > timezone.now() and slot.remaining > 0,
        "back_url": _back(request, slot), "back": _back_query(request),
    }, status=400 if errors else 200)


# --- closing ------------------------------------------------------------------------------

class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=staff_services.MAX_REASON,
        error_messages={
            "required": gettext_lazy("Enter the reason. It is sent to the people booked."),
            "max_length": gettext_lazy("Write the reason in at most %(limit_value)d "
                                       "characters."),
        })


@case_handler_required
@require_http_methods(["GET", "POST"])
def close_slot(request: HttpRequest, slot_id: int) -> HttpResponse:
    """Ask once, naming the slot and the people booked on it; on POST close it, cancel the
    bookings and send each person the reason."""
    staff = staff_member(request)
    slot = staff_selectors.get_slot(staff, slot_id)
    refused = ""
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                result = staff_services.close_slot(slot, by=request.user,
                                                   reason=form.cleaned_data["reason"])
            except StaffActionRefused as exc:
                refused = exc.message
            else:
                audit.record(request, "reservation.slot.close", target_type="slot",
                             target_id=str(slot.pk), details={
                                 "service": slot.service.code,
                                 "starts_at": slot.starts_at.isoformat(),
                                 "reason": form.cleaned_data["reason"],
                                 "cancelled": [str(b.public_id) for b in result.cancelled],
                                 "withdrawn": len(result.withdrawn)})
                messages.success(request, ngettext(
                    "%(slot)s is closed. %(count)d person was told.",
                    "%(slot)s is closed. %(count)d people were told.",
                    len(result.cancelled) + len(result.withdrawn),
                ) % {"slot": _slot_label(slot),
                     "count": len(result.cancelled) + len(result.withdrawn)})
                return redirect(_back(request, slot))
    else:
        form = ReasonForm()
    bookings = list(slot.bookings.filter(status=Booking.Status.CONFIRMED)
                    .order_by("family_kana", "given_kana", "id"))
    waiting = slot.waitlist.filter(status__in=["waiting", "offered"]).count()
    audit.record(request, "reservation.slot.view.staff", target_type="slot",
                 target_id=str(slot.pk), details={"page": "close", "bookings": len(bookings)})
    errors = _errors(form) if form.is_bound else []
    if refused:
        errors.append({"input_id": "id_reason", "message": refused})
    return render(request, "reservations/staff/close_slot.html", {
        "staff": staff, "slot": slot, "bookings": bookings, "waiting": waiting, "form": form,
        "errors": errors, "closable": slot.status == Slot.Status.OPEN
        and slot.ends_at > timezone.now(),
        "back_url": _back(request, slot), "back": _back_query(request),
    }, status=400 if errors else 200)


class CloseDayForm(forms.Form):
    venue = forms.ChoiceField(error_messages={
        "required": gettext_lazy("Choose the venue."),
        "invalid_choice": gettext_lazy("Choose the venue.")})
    day = JapaneseDateField(error_messages={
        "required": gettext_lazy("Enter the day like 2026-12-04 or 令和8年12月4日."),
        "invalid": gettext_lazy("Enter the day like 2026-12-04 or 令和8年12月4日.")})
    reason = ReasonForm.base_fields["reason"]

    def __init__(self, *args: Any, venues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [("", _("Choose")), *((v.code, str(v)) for v in venues)]

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return day


@case_handler_required
@require_http_methods(["GET", "POST"])
def close_day(request: HttpRequest) -> HttpResponse:
    """Close a venue for a day: the form, then a page that names the slots and how many
    people will be told, then the closing."""
    staff = staff_member(request)
    venues = list(staff_selectors.department_venues(staff))
    initial = {"day": str(request.GET.get("date", ""))[:40],
               "venue": str(request.GET.get("venue", ""))[:50]}
    if request.method != "POST":
        form = CloseDayForm(venues=venues, initial=initial)
        return render(request, "reservations/staff/close_day.html",
                      {"staff": staff, "form": form, "errors": [], "venues": venues})
    form = CloseDayForm(request.POST, venues=venues)
    if not form.is_valid():
        return render(request, "reservations/staff/close_day.html",
                      {"staff": staff, "form": form, "errors": _errors(form), "venues": venues},
                      status=400)
    venue = staff_selectors.get_venue(staff, form.cleaned_data["venue"])
    day, reason = form.cleaned_data["day"], form.cleaned_data["reason"]
    if request.POST.get("confirm") != "yes":
        slots = staff_services.closable_slots_on(venue, day, department_id=staff.department_id)
        people = Booking.objects.filter(slot__in=slots, status=Booking.Status.CONFIRMED).count()
        return render(request, "reservations/staff/close_day_confirm.html", {
            "staff": staff, "venue": venue, "day": day, "reason": reason, "slots": slots,
            "people": people})
    try:
        results = staff_services.close_day(venue, day, by=request.user, reason=reason,
                                           department_id=staff.department_id)
    except StaffActionRefused as exc:
        messages.error(request, exc.message)
        return redirect(roster_url(day, venue=venue.code))
    told = sum(len(r.cancelled) + len(r.withdrawn) for r in results)
    audit.record(request, "reservation.day.close", target_type="venue", target_id=venue.code,
                 details={"date": day.isoformat(), "reason": reason,
                          "slots": [r.slot.pk for r in results],
                          "cancelled": [str(b.public_id) for r in results for b in r.cancelled]})
    messages.success(request, ngettext(
        "%(venue)s is closed on %(day)s: %(slots)d time closed, %(people)d people told.",
        "%(venue)s is closed on %(day)s: %(slots)d times closed, %(people)d people told.",
        len(results)) % {"venue": venue, "day": _display_day(day), "slots": len(results),
                         "people": told})
    return redirect(roster_url(day, venue=venue.code))


def _display_day(day: dt.date) -> str:
    from madoguchi.core.dates import display_date

    return display_date(day)


# --- extra sessions -----------------------------------------------------------------------

class TimeOfDayField(forms.Field):
    """A time typed as 9:00, 09:00, ９：００ or 9時00分."""

    def to_python(self, value: Any) -> dt.time | None:  # type: ignore[override]
        text = to_ascii(str(value or "")).strip()
        if not text:
            return None
        match = _TIME.fullmatch(text) if len(text) <= 20 else None
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return dt.time(hour, minute)


class ExtraSessionForm(forms.Form):
    service = forms.ChoiceField(error_messages={
        "required": gettext_lazy("Choose the service."),
        "invalid_choice": gettext_lazy("Choose the service.")})
    room = forms.ChoiceField(error_messages={
        "required": gettext_lazy("Choose the room."),
        "invalid_choice": gettext_lazy("Choose the room.")})
    day = JapaneseDateField(label=gettext_lazy("Day"), error_messages={
        "required": gettext_lazy("Enter the day like 2026-12-04 or 令和8年12月4日."),
        "invalid": gettext_lazy("Enter the day like 2026-12-04 or 令和8年12月4日.")})
    start = TimeOfDayField(label=gettext_lazy("Start time"), error_messages={
        "required": gettext_lazy("Enter the start time like 13:00."),
        "invalid": gettext_lazy("Enter the start time like 13:00.")})
    end = TimeOfDayField(label=gettext_lazy("End time"), error_messages={
        "required": gettext_lazy("Enter the end time like 16:00."),
        "invalid": gettext_lazy("Enter the end time like 16:00.")})
    capacity = forms.IntegerField(label=gettext_lazy("Places per slot"), required=False,
                                  min_value=1,
                                  max_value=staff_services.MAX_CAPACITY, error_messages={
        "invalid": gettext_lazy("Enter the places per slot as a number."),
        "min_value": gettext_lazy("Enter between 1 and %(limit_value)s places."),
        "max_value": gettext_lazy("Enter between 1 and %(limit_value)s places.")})

    def __init__(self, *args: Any, services: list[Service], rooms: list[Any],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Choose")),
                                          *((s.code, localized(s.name)) for s in services)]
        self.fields["room"].choices = [("", _("Choose")), *((str(r.pk), str(r)) for r in rooms)]

    def clean_capacity(self) -> int | None:
        return self.cleaned_data.get("capacity")


@case_handler_required
@require_http_methods(["GET", "POST"])
def add_session(request: HttpRequest) -> HttpResponse:
    """Open an extra session (臨時開設) of a service: slots of its length in a time band."""
    staff = staff_member(request)
    services_list = list(staff_selectors.department_services(staff))
    rooms = list(staff_selectors.department_rooms(staff))
    if request.method == "POST":
        form = ExtraSessionForm(request.POST, services=services_list, rooms=rooms)
        if form.is_valid():
            data = form.cleaned_data
            service = staff_selectors.get_service(staff, data["service"])
            room = next(r for r in rooms if str(r.pk) == data["room"])
            try:
                created = staff_services.add_extra_session(
                    service, room=room, day=data["day"], start=data["start"], end=data["end"],
                    capacity=data["capacity"], by=request.user)
            except StaffActionRefused as exc:
                field = {"band": "end", "short": "end", "capacity": "capacity",
                         "room": "room"}.get(exc.code, "day")
                form.add_error(field, exc.message)
            else:
                audit.record(request, "reservation.session.add", target_type="service",
                             target_id=service.code, details={
                                 "date": data["day"].isoformat(), "room": room.pk,
                                 "start": data["start"].isoformat(),
                                 "end": data["end"].isoformat(),
                                 "slots": [s.pk for s in created]})
                if created:
                    messages.success(request, ngettext(
                        "%(count)d slot was added.", "%(count)d slots were added.",
                        len(created)) % {"count": len(created)})
                else:
                    messages.error(request, _("These times were already in the calendar; "
                                              "nothing was added."))
                return redirect(roster_url(data["day"], service=service.code))
    else:
        initial = {"day": str(request.GET.get("date", ""))[:40],
                   "service": str(request.GET.get("service", ""))[:50]}
        form = ExtraSessionForm(services=services_list, rooms=rooms, initial=initial)
    return render(request, "reservations/staff/add_session.html", {
        "staff": staff, "form": form, "errors": _errors(form) if form.is_bound else [],
    }, status=400 if form.is_bound and form.errors else 200)


# --- export and utilisation ---------------------------------------------------------------

class PeriodForm(forms.Form):
    start = JapaneseDateField(error_messages={
        "required": gettext_lazy("Enter the first day like 2026-12-01 or 令和8年12月1日."),
        "invalid": gettext_lazy("Enter the first day like 2026-12-01 or 令和8年12月1日.")})
    end = JapaneseDateField(error_messages={
        "required": gettext_lazy("Enter the last day like 2026-12-31 or 令和8年12月31日."),
        "invalid": gettext_lazy("Enter the last day like 2026-12-31 or 令和8年12月31日.")})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last day must be the same as or after the first day."))
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("end", _("Choose a period of at most two years."))
        return data


class ExportForm(PeriodForm):
    service = forms.ChoiceField(required=False, error_messages={
        "invalid_choice": gettext_lazy("Choose the service from the list.")})
    format = forms.ChoiceField(choices=exports.FORMATS, error_messages={
        "required": gettext_lazy("Choose the file format."),
        "invalid_choice": gettext_lazy("Choose the file format.")})
    include_cancelled = forms.BooleanField(required=False)

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services of the department")),
                                          *((s.code, localized(s.name)) for s in services)]


def _this_month() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    first = today.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


@case_handler_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponseBase:
    """Choose services, period and format; a valid POST sends the CSV (audit-logged)."""
    staff = staff_member(request)
    services_list = list(staff_selectors.department_services(staff))
    if request.method != "POST":
        start, end = _this_month()
        form = ExportForm(services=services_list, initial={
            "start": start.isoformat(), "end": end.isoformat(),
            "format": exports.ExportFormat.CSV_UTF8, "include_cancelled": True})
        return render(request, "reservations/staff/export.html",
                      {"staff": staff, "form": form, "errors": []})
    form = ExportForm(request.POST, services=services_list)
    if not form.is_valid():
        return render(request, "reservations/staff/export.html",
                      {"staff": staff, "form": form, "errors": _errors(form)}, status=400)
    code = form.cleaned_data["service"]
    chosen = tuple(s for s in services_list if s.code == code) if code else tuple(services_list)
    job = exports.BookingExport(
        services=chosen, start=form.cleaned_data["start"], end=form.cleaned_data["end"],
        format=form.cleaned_data["format"], language=translation.get_language() or "ja",
        include_cancelled=form.cleaned_data["include_cancelled"])

    def on_finish(request: HttpRequest, result: Any) -> None:
        audit.record(request, "reservation.export", target_type="department",
                     target_id=str(staff.department_id), details=job.audit_details(result))

    response = StreamingHttpResponse(exports.csv_stream(job, partial(on_finish, request)),
                                     content_type=exports.CONTENT_TYPES[job.format])
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    return response


@staff_required
@require_GET
def utilisation(request: HttpRequest) -> HttpResponse:
    """Per service and period: slots, places, booked, attended, no-show, cancelled and the
    utilisation. Counts only. Case handlers see their department; the DX office the city."""
    staff: StaffMember = staff_member(request)
    city_wide = not staff.handles_cases
    if city_wide and staff.role != StaffMember.Role.DX:
        raise PermissionDenied
    start, end = _this_month()
    data = request.GET if ("start" in request.GET or "end" in request.GET) else {
        "start": start.isoformat(), "end": end.isoformat()}
    form = PeriodForm(data)
    services_qs = (Service.objects.select_related("department").order_by("department_id", "id")
                   if city_wide else staff_selectors.department_services(staff))
    rows: list[stats.Utilisation] = []
    total = None
    if form.is_valid():
        rows, total = stats.utilisation(services_qs, form.cleaned_data["start"],
                                        form.cleaned_data["end"])
    return render(request, "reservations/staff/utilisation.html", {
        "staff": staff, "form": form, "rows": rows, "total": total, "city_wide": city_wide,
        "errors": _errors(form),
    }, status=200 if form.is_valid() else 400)
