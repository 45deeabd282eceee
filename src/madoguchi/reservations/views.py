"""Resident pages: services, month calendar, booking, confirmation, change/cancel, waitlist."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from madoguchi.core import audit, ratelimit

from . import selectors, services
from .forms import MAX_ID, ChangeForm, DetailsForm, WaitlistActionForm
from .ics import booking_ics
from .models import Booking, Slot, WaitlistEntry
from .services import BookingRefused
from .waiting_room import gate

MONTHS_AHEAD = 6


def _parse_month(value: str | None, default: dt.date) -> dt.date:
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return default


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reservations/index.html",
                  {"services": selectors.active_services()})


def service_calendar(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.get_active_service(code)
    waiting = gate(request, service)
    if waiting is not None:
        return waiting
    today = timezone.localdate()
    first = today.replace(day=1)
    month = _parse_month(request.GET.get("month"), selectors.first_bookable_month(service))
    last = (first + dt.timedelta(days=31 * MONTHS_AHEAD)).replace(day=1)
    month = min(max(month, first), last)
    prev_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "reservations/calendar.html", {
        "service": service, "month": month, "weeks": selectors.availability(service, month),
        "prev_month": prev_month if prev_month >= first else None,
        "next_month": next_month if next_month <= last else None,
        "today": today,
        "not_open": service.bookings_open_at and timezone.now() < service.bookings_open_at,
    })


def day_slots(request: HttpRequest, code: str, day: str) -> HttpResponse:
    service = selectors.get_active_service(code)
    waiting = gate(request, service)
    if waiting is not None:
        return waiting
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    now = timezone.now()
    slots = selectors.slots_on(service, date)
    for slot in slots:
        slot.online_closed = now > service.change_deadline(slot.starts_at)
    return render(request, "reservations/day.html", {
        "service": service, "day": date, "slots": slots, "now": now,
    })


def _initial(request: HttpRequest) -> dict[str, str]:
    initial = {"request_token": uuid.uuid4().hex}
    if request.user.is_authenticated and getattr(request.user, "is_resident", False):
        initial["email"] = request.user.email
    return initial


def _resident(request: HttpRequest):
    user = request.user
    return user if user.is_authenticated and getattr(user, "is_resident", False) else None


def slot_book(request: HttpRequest, code: str, slot_id: int) -> HttpResponse:
    """The booking form for one slot; when the slot is full, the same form joins its waitlist."""
    service = selectors.get_active_service(code)
    waiting = gate(request, service)
    if waiting is not None:
        return waiting
    if slot_id > MAX_ID:
        raise Http404
    slot = selectors.get_service_slot(service, slot_id)
    user = _resident(request)
    if service.requires_account and user is None:
        return redirect(f"{reverse('residents:login')}?next={request.get_full_path()}")
    refusal = None
    try:
        services.check_bookable(slot, now=timezone.now())
    except BookingRefused as exc:
        refusal = exc
    waitlist = slot.is_full
    form = DetailsForm(request.POST or None, service=service, initial=_initial(request))
    status = 200
    if request.method == "POST" and refusal is None:
        if form.is_valid():
            if user is None:  # the confirmation goes to whatever address was typed
                decision = ratelimit.check("receipt", ip=audit.client_ip(request),
                                           key=form.cleaned_data.get("email") or "")
                if not decision.allowed:
                    return ratelimit.refuse(request, decision, _(
                        "Too many bookings were made in a short while."))
            try:
                if request.POST.get("waitlist") == "1":
                    entry = services.join_waitlist(
                        slot, person=form.person(), user=user,
                        request_token=form.cleaned_data["request_token"])
                    return redirect("reservations:waitlist", entry.public_id,
                                    entry.manage_token)
                booking = services.book(slot, person=form.person(), user=user,
                                        request_token=form.cleaned_data["request_token"])
                return redirect("reservations:confirmation", booking.public_id,
                                booking.manage_token)
            except BookingRefused as exc:
                refusal = exc
                slot.refresh_from_db()
                waitlist = slot.is_full and exc.code == "full"
        status = 400 if refusal is None else 409
    elif request.method == "POST":
        status = 409
    errors = form.error_list() if form.is_bound and form.errors else []
    return render(request, "reservations/book.html", {
        "service": service, "slot": slot, "form": form, "errors": errors,
        "refusal": refusal, "waitlist": waitlist,
        "deadline": service.change_deadline(slot.starts_at),
    }, status=status)


def confirmation(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    booking = selectors.get_booking(public_id, token)
    return render(request, "reservations/confirmation.html", _manage_context(booking))


def _manage_context(booking: Booking) -> dict:
    return {
        "booking": booking, "slot": booking.slot, "service": booking.service,
        "venue": booking.slot.room.venue,
        "deadline": booking.service.change_deadline(booking.slot.starts_at),
        "can_change": services.can_change(booking),
    }


def manage(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    booking = selectors.get_booking(public_id, token)
    return render(request, "reservations/manage.html", _manage_context(booking))


def manage_cancel(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    """Asks once (GET), then cancels (POST)."""
    booking = selectors.get_booking(public_id, token)
    context = _manage_context(booking)
    if request.method == "POST":
        try:
            services.cancel(booking, by=_resident(request), reason="resident")
        except BookingRefused as exc:
            context["refusal"] = exc
            return render(request, "reservations/cancel.html", context, status=409)
        return redirect("reservations:manage", booking.public_id, booking.manage_token)
    return render(request, "reservations/cancel.html", context)


def manage_change(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    """Pick another time of the same service (a list of open slots, no JavaScript needed)."""
    booking = selectors.get_booking(public_id, token)
    context = _manage_context(booking)
    now = timezone.now()
    lo = now
    hi = now + dt.timedelta(days=booking.service.bookable_days_ahead)
    choices = [s for s in selectors.slots_between(booking.service, lo, hi)
               if s.status == Slot.Status.OPEN and not s.is_full and s.pk != booking.slot_id
               and now <= booking.service.change_deadline(s.starts_at)]
    context["choices"] = choices
    status = 200
    if request.method == "POST":
        form = ChangeForm(request.POST)
        to = (selectors.find_service_slot(booking.service, form.cleaned_data["slot"])
              if form.is_valid() else None)
        if to is None:
            context["errors"] = [{"input_id": "slot-choices",
                                  "message": _("Choose the new time.")}]
            status = 400
        else:
            try:
                services.move(booking, to, by=_resident(request))
                return redirect("reservations:manage", booking.public_id, booking.manage_token)
            except BookingRefused as exc:
                context["refusal"] = exc
                status = 409
    return render(request, "reservations/change.html", context, status=status)


def manage_ics(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    booking = selectors.get_booking(public_id, token)
    response = HttpResponse(booking_ics(booking, language=get_language() or "ja"),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reservation-{booking.public_id}.ics"'
    return response


def waitlist(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    """A waitlist entry: its place in the queue, or the seat on offer to accept or decline."""
    entry = selectors.get_waitlist_entry(public_id, token)
    now = timezone.now()
    status = 200
    refusal = None
    if request.method == "POST":
        form = WaitlistActionForm(request.POST)
        action = form.cleaned_data["action"] if form.is_valid() else None
        try:
            if action == "accept":
                booking = services.accept_offer(entry, now=now)
                return redirect("reservations:confirmation", booking.public_id,
                                booking.manage_token)
            if action == "leave":
                services.decline_offer(entry, now=now)
                return redirect("reservations:waitlist", entry.public_id, entry.manage_token)
        except BookingRefused as exc:
            refusal = exc
            status = 409
        entry.refresh_from_db()
    offer_open = (entry.status == WaitlistEntry.Status.OFFERED and entry.offered_until
                  and entry.offered_until > now)
    return render(request, "reservations/waitlist.html", {
        "entry": entry, "slot": entry.slot, "service": entry.slot.service,
        "position": services.waitlist_position(entry), "offer_open": offer_open,
        "refusal": refusal,
    }, status=status)


@login_required
def my_reservations(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not getattr(user, "is_resident", False):
        raise Http404
    return render(request, "reservations/my.html", {
        "upcoming": selectors.upcoming_bookings_for(user),
        "past": [b for b in selectors.bookings_for(user)
                 if b.status != Booking.Status.CONFIRMED or b.slot.starts_at <= timezone.now()],
        "waiting": selectors.waitlist_entries_for(user),
    })
