"""Turning weekly slot templates into dated slots, skipping holidays and closing days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import jpholiday
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ClosingDay, Room, Service, Slot, SlotTemplate

DEFAULT_CLOSING_DAYS = ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"]


def city_closing_days() -> set[tuple[int, int]]:
    """The (month, day) pairs the city closes every year (年末年始 by default)."""
    days = getattr(settings, "MADOGUCHI_CLOSING_DAYS", DEFAULT_CLOSING_DAYS)
    out = set()
    for item in days:
        month, day = (int(x) for x in str(item).split("-"))
        out.add((month, day))
    return out


def is_public_holiday(day: dt.date) -> bool:
    """A national holiday or substitute holiday (祝日・振替休日)."""
    return bool(jpholiday.is_holiday(day))


def is_closed(day: dt.date, venue_id: int | None, *, closures: set[tuple[dt.date, int | None]],
              yearly: set[tuple[int, int]]) -> bool:
    """Whether ``day`` is closed for ``venue_id`` (holiday, yearly closing day or one-off)."""
    return (
        is_public_holiday(day)
        or (day.month, day.day) in yearly
        or (day, None) in closures
        or (day, venue_id) in closures
    )


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def split_band(day: dt.date, start: dt.time, end: dt.time,
               minutes: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """Aware (JST) start/end pairs of the slots of ``minutes`` that fit in the band."""
    tz = timezone.get_default_timezone()
    out = []
    cur = dt.datetime.combine(day, start)
    stop = dt.datetime.combine(day, end)
    step = dt.timedelta(minutes=max(minutes, 1))
    while cur + step <= stop:
        out.append((timezone.make_aware(cur, tz), timezone.make_aware(cur + step, tz)))
        cur += step
    return out


def planned_slots(service: Service, templates: Iterable[SlotTemplate], start: dt.date,
                  end: dt.date, *, closures: set[tuple[dt.date, int | None]],
                  yearly: set[tuple[int, int]]) -> list[dict]:
    """The slots the templates describe between ``start`` and ``end`` (inclusive), as dicts."""
    templates = list(templates)
    venue_of = {t.room_id: t.room.venue_id for t in templates}
    out = []
    for day in _days(start, end):
        for t in templates:
            if t.weekday != day.weekday() or day < t.valid_from:
                continue
            if t.valid_until and day > t.valid_until:
                continue
            if is_closed(day, venue_of[t.room_id], closures=closures, yearly=yearly):
                continue
            for starts_at, ends_at in split_band(day, t.start_time, t.end_time,
                                                 service.duration_minutes):
                out.append({"room_id": t.room_id, "starts_at": starts_at, "ends_at": ends_at,
                            "capacity": t.capacity or service.capacity})
    return out


def _closures(start: dt.date, end: dt.date) -> set[tuple[dt.date, int | None]]:
    return set(ClosingDay.objects.filter(date__gte=start, date__lte=end)
               .values_list("date", "venue_id"))


def generate_slots(service: Service, start: dt.date, end: dt.date) -> int:
    """Create the missing slots of ``service`` from its templates for ``start``..``end``.

    Idempotent: existing slots (booked, closed or moved by staff) are left as they are.
    Returns the number of slots created.
    """
    templates = SlotTemplate.objects.filter(service=service).select_related("room")
    plan = planned_slots(service, templates, start, end, closures=_closures(start, end),
                         yearly=city_closing_days())
    if not plan:
        return 0
    tz = timezone.get_default_timezone()
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    existing = set(Slot.objects.filter(service=service, starts_at__gte=lo, starts_at__lt=hi)
                   .values_list("room_id", "starts_at"))
    new = [Slot(service=service, source=Slot.Source.TEMPLATE, **p) for p in plan
           if (p["room_id"], p["starts_at"]) not in existing]
    with transaction.atomic():
        Slot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def add_extra_session(service: Service, room: Room, day: dt.date, start: dt.time, end: dt.time,
                      capacity: int | None = None) -> int:
    """Add an extra session (臨時開設) on ``day``, even on a day the templates skip."""
    created = 0
    for starts_at, ends_at in split_band(day, start, end, service.duration_minutes):
        _, was_created = Slot.objects.get_or_create(
            service=service, room=room, starts_at=starts_at,
            defaults={"ends_at": ends_at, "capacity": capacity or service.capacity,
                      "source": Slot.Source.EXTRA},
        )
        created += was_created
    return created


def close_day(day: dt.date, *, venue: object | None = None, reason: dict | None = None) -> int:
    """Record a one-off closure and close the open slots of that day. Returns slots closed.

    Bookings on those slots stay as they are for staff to contact the people concerned.
    """
    tz = timezone.get_default_timezone()
    ClosingDay.objects.update_or_create(date=day, venue=venue,
                                        defaults={"reason": reason or {}})
    lo = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    slots = Slot.objects.filter(starts_at__gte=lo, starts_at__lt=lo + dt.timedelta(days=1),
                                status=Slot.Status.OPEN)
    if venue is not None:
        slots = slots.filter(room__venue=venue)
    return slots.update(status=Slot.Status.CLOSED, closed_reason=reason or {})
