"""Staff writes on reservations: check-in, closing a slot or a day, extra sessions.

Booking, cancelling and moving go through :mod:`madoguchi.reservations.services` (the seat
rules live there). Closing a slot is done here because it is more than many cancellations:
the slot stops taking bookings, every confirmed booking on it is cancelled with the reason,
the waiting list is withdrawn, and each person receives one notice that names the reason and
links to the calendar to book again (not the generic "cancelled" notice as well).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core.tasks import enqueue_with_transaction

from .. import calendar as resv_calendar
from .. import staff_tasks
from ..models import Booking, ClosingDay, Room, Service, Slot, Venue, WaitlistEntry
from ..services import BookingRefused
from .selectors import closable_slots_on

if TYPE_CHECKING:
    from madoguchi.core.models import User

MAX_REASON = 200
MAX_CAPACITY = 500
EXTRA_SESSION_DAYS_AHEAD = 366


class StaffActionRefused(BookingRefused):
    """A staff action the rules do not allow; ``message`` is shown to the clerk."""


# --- Check-in -----------------------------------------------------------------------------

CHECKABLE = (Booking.Status.CONFIRMED, Booking.Status.ATTENDED, Booking.Status.NO_SHOW)


def check_in(booking: Booking, *, attended: bool, by: User,
             now: dt.datetime | None = None) -> Booking:
    """Record that the person came (``attended``) or did not come (no-show).

    Allowed from the day of the slot (JST); a no-show only once the slot has started. A mark
    can be changed (attended ↔ no-show) to correct a mistake; a cancelled booking cannot be
    marked. ``by`` is recorded by the caller in the audit log.
    """
    now = now or timezone.now()
    booking = Booking.objects.select_related("slot").get(pk=booking.pk)
    if booking.status not in CHECKABLE:
        raise StaffActionRefused("cancelled", _("This booking was cancelled."))
    if timezone.localtime(booking.slot.starts_at).date() > timezone.localtime(now).date():
        raise StaffActionRefused("too_early", _("Check-in opens on the day of the booking."))
    if not attended and booking.slot.starts_at > now:
        raise StaffActionRefused(
            "not_started", _("A person can be marked as not come only once their time has "
                             "started."))
    status = Booking.Status.ATTENDED if attended else Booking.Status.NO_SHOW
    Booking.objects.filter(pk=booking.pk, status__in=CHECKABLE).update(
        status=status, checked_in_at=now if attended else None)
    booking.refresh_from_db()
    return booking


def undo_check_in(booking: Booking, *, by: User) -> Booking:
    """Put an attended or no-show booking back to confirmed (a mark made by mistake)."""
    booking = Booking.objects.get(pk=booking.pk)
    if booking.status not in (Booking.Status.ATTENDED, Booking.Status.NO_SHOW):
        raise StaffActionRefused("not_marked", _("This booking has no check-in to undo."))
    Booking.objects.filter(
        pk=booking.pk, status__in=[Booking.Status.ATTENDED, Booking.Status.NO_SHOW]
    ).update(status=Booking.Status.CONFIRMED, checked_in_at=None)
    booking.refresh_from_db()
    return booking


# --- Closing ------------------------------------------------------------------------------

@dataclasses.dataclass
class ClosedSlot:
    """What closing one slot did: bookings cancelled and waiting-list entries withdrawn."""

    slot: Slot
    cancelled: list[Booking]
    withdrawn: list[WaitlistEntry]


def _clean_reason(reason: str) -> str:
    text = " ".join(reason.replace("\x00", "").split())
    if not text:
        raise StaffActionRefused("reason", _("Enter the reason. It is sent to the people "
                                             "booked."))
    return text[:MAX_REASON]


def _notify_closed(**ids: int) -> None:
    enqueue_with_transaction(staff_tasks.send_slot_closed_notice, **ids)


def close_slot(slot: Slot, *, by: User, reason: str,
               now: dt.datetime | None = None) -> ClosedSlot:
    """Close ``slot``: no more bookings; cancel the confirmed ones and tell each person why.

    The people on its waiting list are withdrawn and told too. Refused for a slot that has
    already ended or is closed. Everything happens in one transaction; the notices are sent
    by a background task after it commits.
    """
    now = now or timezone.now()
    text = _clean_reason(reason)
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        if slot.status != Slot.Status.OPEN:
            raise StaffActionRefused("closed", _("This time is already closed."))
        if slot.ends_at <= now:
            raise StaffActionRefused("past", _("This time is over and cannot be closed."))
        Slot.objects.filter(pk=slot.pk).update(
            status=Slot.Status.CLOSED, closed_reason={"ja": text, "en": text})
        cancelled = list(Booking.objects.filter(slot=slot, status=Booking.Status.CONFIRMED))
        Booking.objects.filter(pk__in=[b.pk for b in cancelled]).update(
            status=Booking.Status.CANCELLED, cancelled_at=now, cancel_reason=text)
        withdrawn = list(WaitlistEntry.objects.filter(
            slot=slot, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]))
        held = sum(1 for e in withdrawn if e.status == WaitlistEntry.Status.OFFERED)
        WaitlistEntry.objects.filter(pk__in=[e.pk for e in withdrawn]).update(
            status=WaitlistEntry.Status.WITHDRAWN)
        freed = len(cancelled) + held
        if freed:
            Slot.objects.filter(pk=slot.pk).update(booked=F("booked") - freed)
        for booking in cancelled:
            _notify_closed(booking_id=booking.pk)
        for entry in withdrawn:
            _notify_closed(entry_id=entry.pk)
    slot.refresh_from_db()
    for booking in cancelled:
        booking.refresh_from_db()
    return ClosedSlot(slot=slot, cancelled=cancelled, withdrawn=withdrawn)


def close_day(venue: Venue, day: dt.date, *, by: User, reason: str, department_id: int,
              now: dt.datetime | None = None) -> list[ClosedSlot]:
    """Close ``venue`` on ``day`` (e.g. a broken boiler): every open slot of the department's
    services there is closed as by :func:`close_slot`, and the day is recorded as a closing
    day of the venue so that the calendar does not create slots for it again."""
    now = now or timezone.now()
    text = _clean_reason(reason)
    if day < timezone.localtime(now).date():
        raise StaffActionRefused("past", _("This day is over and cannot be closed."))
    results = []
    with transaction.atomic():
        ClosingDay.objects.update_or_create(date=day, venue=venue,
                                            defaults={"reason": {"ja": text, "en": text}})
        for slot in closable_slots_on(venue, day, department_id=department_id, now=now):
            results.append(close_slot(slot, by=by, reason=text, now=now))
    return results


# --- Extra sessions -----------------------------------------------------------------------

def add_extra_session(service: Service, *, room: Room, day: dt.date, start: dt.time,
                      end: dt.time, capacity: int | None, by: User,
                      now: dt.datetime | None = None) -> list[Slot]:
    """Add an extra session (臨時開設) of ``service`` in ``room``: slots of the service's length
    between ``start`` and ``end`` on ``day``, even on a day the weekly calendar skips.

    Times already in the calendar are left as they are. Returns the slots created.
    """
    now = now or timezone.now()
    if room.venue.department_id != service.department_id:
        raise StaffActionRefused("room", _("Choose a room of your department's venues."))
    today = timezone.localtime(now).date()
    if day < today:
        raise StaffActionRefused("past", _("Choose today or a later day."))
    if day > today + dt.timedelta(days=EXTRA_SESSION_DAYS_AHEAD):
        raise StaffActionRefused("far", _("Choose a day within a year from today."))
    if end <= start:
        raise StaffActionRefused("band", _("The end time must be after the start time."))
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise StaffActionRefused("capacity", _("Enter between 1 and %(max)s places.")
                                 % {"max": MAX_CAPACITY})
    band = resv_calendar.split_band(day, start, end, service.duration_minutes)
    if not band:
        raise StaffActionRefused(
            "short", _("The time is shorter than one slot of this service (%(minutes)s "
                       "minutes).") % {"minutes": service.duration_minutes})
    if band[0][0] <= now:
        raise StaffActionRefused("past", _("The session must start later than now."))
    before = set(Slot.objects.filter(service=service, room=room,
                                     starts_at__in=[s for s, _e in band])
                 .values_list("pk", flat=True))
    with transaction.atomic():
        resv_calendar.add_extra_session(service, room, day, start, end, capacity)
    return list(Slot.objects.filter(service=service, room=room,
                                    starts_at__in=[s for s, _e in band])
                .exclude(pk__in=before).order_by("starts_at"))
