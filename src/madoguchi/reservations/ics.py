"""iCalendar (RFC 5545) files for a booking, so it can go into a phone's calendar."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from madoguchi.core.i18n import localized

from .models import Booking


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, cur = [], b""
    for ch in line:
        b = ch.encode()
        if len(cur) + len(b) > (75 if not out else 74):
            out.append(cur.decode())
            cur = b""
        cur += b
    out.append(cur.decode())
    return "\r\n ".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_ics(booking: Booking, *, language: str = "ja") -> str:
    """One VEVENT for the booking (cancelled bookings carry STATUS:CANCELLED)."""
    slot = booking.slot
    venue = slot.room.venue
    summary = localized(booking.service.name, language)
    location = " ".join(x for x in [localized(venue.name, language),
                                    localized(slot.room.name, language),
                                    localized(venue.address, language)] if x)
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "madoguchi"
    status = "CANCELLED" if booking.status == Booking.Status.CANCELLED else "CONFIRMED"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Madoguchi//Reservations//JA",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:{booking.public_id}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(slot.starts_at)}",
        f"DTEND:{_utc(slot.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(localized(booking.service.description, language))}",
        f"STATUS:{status}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
