"""Staff pages that change the calendar: closing a slot or a whole day at a venue, and opening
an extra session (臨時開設).

Case handlers only, for their own department's services; every change is audit-logged, and the
page that names the people booked on a slot is audit-logged as a view.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from madoguchi.core import audit
from madoguchi.core.dates import display_date
from madoguchi.staff.permissions import case_handler_required, staff_member

from ..models import Slot
from . import selectors as staff_selectors
from . import services as staff_services
from .common import back_query, back_url, form_errors, roster_url, slot_label
from .forms import CloseDayForm, ExtraSessionForm, ReasonForm
from .services import StaffActionRefused

# --- closing ------------------------------------------------------------------------------

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
                ) % {"slot": slot_label(slot),
                     "count": len(result.cancelled) + len(result.withdrawn)})
                return redirect(back_url(request, slot))
    else:
        form = ReasonForm()
    bookings = staff_selectors.confirmed_bookings(slot)
    waiting = staff_selectors.waiting_count(slot)
    audit.record(request, "reservation.slot.view.staff", target_type="slot",
                 target_id=str(slot.pk), details={"page": "close", "bookings": len(bookings)})
    errors = form_errors(form) if form.is_bound else []
    if refused:
        errors.append({"input_id": "id_reason", "message": refused})
    return render(request, "reservations/staff/close_slot.html", {
        "staff": staff, "slot": slot, "bookings": bookings, "waiting": waiting, "form": form,
        "errors": errors, "closable": slot.status == Slot.Status.OPEN
        and slot.ends_at > timezone.now(),
        "back_url": back_url(request, slot), "back": back_query(request),
    }, status=400 if errors else 200)


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
                      {"staff": staff, "form": form, "errors": form_errors(form),
                       "venues": venues},
                      status=400)
    venue = staff_selectors.get_venue(staff, form.cleaned_data["venue"])
    day, reason = form.cleaned_data["day"], form.cleaned_data["reason"]
    if request.POST.get("confirm") != "yes":
        slots = staff_selectors.closable_slots_on(venue, day, department_id=staff.department_id)
        return render(request, "reservations/staff/close_day_confirm.html", {
            "staff": staff, "venue": venue, "day": day, "reason": reason, "slots": slots,
            "people": staff_selectors.confirmed_count(slots)})
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
        len(results)) % {"venue": venue, "day": display_date(day), "slots": len(results),
                         "people": told})
    return redirect(roster_url(day, venue=venue.code))


# --- extra sessions -----------------------------------------------------------------------

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
            room = form.chosen_room()
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
        "staff": staff, "form": form, "errors": form_errors(form) if form.is_bound else [],
    }, status=400 if form.is_bound and form.errors else 200)
