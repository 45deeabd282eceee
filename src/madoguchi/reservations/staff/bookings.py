"""Staff pages of the day roster and of one booking: check-in, moving, cancelling, and booking
a seat for a phone caller.

Only staff who work on cases (clerk, approver, head, admin) use these pages, and only for their
own department's services: another department's booking or slot is 404. Every page that shows
a person's booking details writes an audit event, and every change is audit-logged.
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.core import audit
from madoguchi.staff.permissions import case_handler_required, staff_member

from .. import services
from ..models import Booking, Slot
from ..services import BookingRefused
from . import selectors as staff_selectors
from . import services as staff_services
from .common import (
    back_query,
    back_url,
    form_errors,
    parse_day,
    record_booking_view,
    roster_url,
    slot_label,
)
from .forms import CancelForm, CheckInForm, MoveForm, PhoneBookingForm, new_request_token
from .services import StaffActionRefused

# --- roster -------------------------------------------------------------------------------

@case_handler_required
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    """The department's bookings on one day, per service and slot, with check-in buttons."""
    staff = staff_member(request)
    today = timezone.localdate()
    typed = str(request.GET.get("date", ""))[:40]
    day = parse_day(typed) if typed else today
    bad_date = day is None
    day = day or today
    services_qs = staff_selectors.department_services(staff)
    venues = staff_selectors.department_venues(staff)
    service_code = str(request.GET.get("service", ""))[:50]
    venue_code = str(request.GET.get("venue", ""))[:50]
    service = staff_selectors.find_service(staff, service_code)
    venue = staff_selectors.find_venue(staff, venue_code)
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
    record_booking_view(request, booking, "detail")
    events = staff_selectors.audit_trail(booking)
    return render(request, "reservations/staff/booking.html", {
        "staff": staff, "booking": booking, "slot": booking.slot, "events": events,
        "can_change": services.can_change(booking, by=request.user),
        "back_url": back_url(request, booking), "back": back_query(request),
    })


@case_handler_required
@require_POST
def check_in(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Mark a booking attended or not come, or undo the mark; back to the roster row."""
    staff = staff_member(request)
    booking = staff_selectors.get_booking(staff, public_id)
    form = CheckInForm(request.POST)
    try:
        if not form.is_valid():
            raise StaffActionRefused("action", _("Choose came or did not come."))
        action = form.cleaned_data["action"]
        if action == "undo":
            booking = staff_services.undo_check_in(booking, by=request.user)
        else:
            booking = staff_services.check_in(booking, attended=action == "attended",
                                              by=request.user)
    except StaffActionRefused as refused:
        messages.error(request, refused.message)
    else:
        audit.record(request, "reservation.check_in", target_type="booking",
                     target_id=str(booking.public_id), details={"status": booking.status})
        messages.success(request, _("%(name)s: %(status)s.") % {
            "name": booking.full_name, "status": booking.get_status_display()})
    if request.POST.get("from") == "booking":
        url = reverse("reservations_staff:booking", args=[booking.public_id])
        back = back_query(request)
        return redirect(f"{url}?{urlencode({'back': back})}" if back else url)
    return redirect(back_url(request, booking) + f"#booking-{booking.public_id}")


@case_handler_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Ask once, naming the person and the time; on POST cancel the booking (the person is
    told by the usual cancellation notice)."""
    staff = staff_member(request)
    booking = staff_selectors.get_booking(staff, public_id)
    error = ""
    if request.method == "POST":
        form = CancelForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.cancel(booking, by=request.user, reason=reason)
        except BookingRefused as refused:
            error = refused.message
        else:
            audit.record(request, "reservation.cancel.staff", target_type="booking",
                         target_id=str(booking.public_id),
                         details={"slot": booking.slot_id, "reason": reason})
            messages.success(request, _("The booking of %(name)s was cancelled.")
                             % {"name": booking.full_name})
            return redirect(back_url(request, booking))
    record_booking_view(request, booking, "cancel")
    return render(request, "reservations/staff/cancel.html", {
        "staff": staff, "booking": booking, "slot": booking.slot, "error": error,
        "back_url": back_url(request, booking), "back": back_query(request),
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
        form = MoveForm(request.POST, targets=targets)
        if not form.is_valid():
            error = _("Choose the new time.")
        else:
            target, old_slot = form.target(), booking.slot
            try:
                booking = services.move(booking, target, by=request.user)
            except BookingRefused as refused:
                error = refused.message
            else:
                audit.record(request, "reservation.move", target_type="booking",
                             target_id=str(booking.public_id),
                             details={"from_slot": old_slot.pk, "to_slot": target.pk})
                messages.success(request, _("The booking of %(name)s was moved to %(slot)s.")
                                 % {"name": booking.full_name, "slot": slot_label(target)})
                return redirect(roster_url(timezone.localtime(target.starts_at).date())
                                + f"#booking-{booking.public_id}")
        targets = staff_selectors.move_targets(booking)
    record_booking_view(request, booking, "move")
    days: dict[dt.date, list[Slot]] = {}
    for slot in targets:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    return render(request, "reservations/staff/move.html", {
        "staff": staff, "booking": booking, "slot": booking.slot, "days": sorted(days.items()),
        "error": error, "can_change": services.can_change(booking, by=request.user),
        "back_url": back_url(request, booking), "back": back_query(request),
        "days_ahead": staff_selectors.MOVE_DAYS_AHEAD,
    }, status=400 if error else 200)


# --- phone bookings -----------------------------------------------------------------------

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
            repeated = staff_selectors.booking_with_token_exists(token)
            try:
                booking = services.book(
                    slot, person=form.person(), request_token=token,
                    channel=Booking.Channel.PHONE, booked_by=request.user)
            except BookingRefused as exc:
                refused = exc.message
            else:
                if repeated:  # the same form sent twice: already booked and logged
                    return redirect(back_url(request, slot) + f"#booking-{booking.public_id}")
                audit.record(request, "reservation.book.phone", target_type="booking",
                             target_id=str(booking.public_id), details={"slot": slot.pk})
                messages.success(request, _("%(name)s is booked for %(slot)s.")
                                 % {"name": booking.full_name, "slot": slot_label(slot)})
                return redirect(back_url(request, slot) + f"#booking-{booking.public_id}")
    else:
        form = PhoneBookingForm(service=slot.service,
                                initial={"request_token": new_request_token()})
    slot.refresh_from_db()
    errors = form_errors(form, {"sex": "id_sex_0", "request_token": "id_family_name"}) \
        if form.is_bound else []
    if refused:
        errors.append({"input_id": "id_family_name", "message": refused})
    return render(request, "reservations/staff/book.html", {
        "staff": staff, "slot": slot, "service": slot.service, "form": form, "errors": errors,
        "refused": refused, "bookable": slot.status == Slot.Status.OPEN
        and slot.starts_at > timezone.now() and slot.remaining > 0,
        "back_url": back_url(request, slot), "back": back_query(request),
    }, status=400 if errors else 200)
