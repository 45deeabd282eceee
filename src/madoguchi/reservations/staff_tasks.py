"""Background work of the staff side: telling people that the city closed their time."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify

from .models import Booking, WaitlistEntry

NOTICE_TEMPLATE = "reservations/staff/email/slot_closed"


@task()
def send_slot_closed_notice(booking_id: int | None = None, entry_id: int | None = None) -> None:
    """Tell the person booked on (or waiting for) a slot the city closed: the reason, and
    where to book another time. Sent through the channels they chose."""
    if booking_id is not None:
        holder = Booking.objects.select_related("slot__room__venue", "service").get(
            pk=booking_id)
        service = holder.service
    else:
        holder = WaitlistEntry.objects.select_related(
            "slot__room__venue", "slot__service").get(pk=entry_id)
        service = holder.slot.service
    slot = holder.slot
    url = settings.SITE_URL + reverse("reservations:calendar", args=[service.code])
    context = {"booking": holder if booking_id is not None else None,
               "entry": holder if entry_id is not None else None,
               "name": holder.family_name, "slot": slot, "service": service,
               "venue": slot.room.venue, "room": slot.room,
               "reason": (slot.closed_reason or {}).get("ja", ""), "calendar_url": url}
    holder_key = f"booking:{booking_id}" if booking_id is not None else f"entry:{entry_id}"
    notify(Notice(kind="reservation.closed", template=NOTICE_TEMPLATE, context=context, url=url),
           user=holder.user, email=holder.email, once=f"reservation.closed:{holder_key}")
