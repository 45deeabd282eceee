"""Background work for reservations: notices to residents, reminders and expiring offers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskContext, task

from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify
from madoguchi.core import clocks

from . import services
from .models import Booking, WaitlistEntry

REMINDER_INTERVAL = dt.timedelta(minutes=5)


def manage_url(booking: Booking) -> str:
    return settings.SITE_URL + reverse(
        "reservations:manage", args=[booking.public_id, booking.manage_token])


def offer_url(entry: WaitlistEntry) -> str:
    return settings.SITE_URL + reverse(
        "reservations:waitlist", args=[entry.public_id, entry.manage_token])


@task(takes_context=True)
def send_reservation_notice(context: TaskContext, kind: str, booking_id: int | None = None,
                            entry_id: int | None = None) -> None:
    """Tell the resident about their booking (confirmed, moved, cancelled, reminder) or their
    waitlist entry (waitlisted, offer), through the channels they chose."""
    if booking_id is not None:
        booking = Booking.objects.select_related("slot__room__venue", "service").get(
            pk=booking_id)
        url = manage_url(booking)
        values = {"booking": booking, "slot": booking.slot, "service": booking.service,
                  "venue": booking.slot.room.venue, "room": booking.slot.room,
                  "ics_url": url + "booking.ics", "manage_url": url,
                  "deadline": booking.service.change_deadline(booking.slot.starts_at)}
        user, email = booking.user, booking.email
    else:
        entry = WaitlistEntry.objects.select_related("slot__room__venue", "slot__service").get(
            pk=entry_id)
        url = offer_url(entry)
        values = {"entry": entry, "slot": entry.slot, "service": entry.slot.service,
                  "venue": entry.slot.room.venue, "room": entry.slot.room, "manage_url": url}
        user, email = entry.user, entry.email
    notify(Notice(kind=f"reservation.{kind}", template=f"reservations/email/{kind}",
                  context=values, url=url), user=user, email=email,
           once=f"task:{context.task_result.id}")


@task()
def send_due_reminders() -> int:
    """Send the reminders that are due (idempotent: each booking gets one)."""
    return services.send_due_reminders()


@task()
def expire_offers() -> int:
    """Pass the seats of waitlist offers that were not accepted in time to the next person."""
    return services.expire_offers()


@task()
def reservation_clock() -> None:
    """Run reminders and offer expiry, then schedule the next run (every five minutes).

    Started by ``load_demo`` and by :func:`start_clock`; the database task worker keeps it going.
    """
    try:
        services.expire_offers()
        services.send_due_reminders()
    finally:  # a failing run must not stop the clock
        clocks.schedule_next(reservation_clock, timezone.now() + REMINDER_INTERVAL)


def start_clock() -> bool:
    """Enqueue :func:`reservation_clock` unless a run is already waiting. Returns True if queued."""
    return clocks.start_unless_waiting(reservation_clock)
