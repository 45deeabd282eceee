"""Reads: services open for booking, month availability, a person's bookings, and the booking
or waiting-list entry a private link points to."""

from __future__ import annotations

import calendar as pycalendar
import dataclasses
import datetime as dt
import secrets
import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Booking, Service, Slot, WaitlistEntry

if TYPE_CHECKING:
    from madoguchi.core.models import User


def active_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).select_related("department").order_by("id")


def get_active_service(code: str) -> Service:
    """The service open for booking with ``code``; 404 if none."""
    return get_object_or_404(Service.objects.select_related("department"), code=code,
                             is_active=True)


def get_service_slot(service: Service, slot_id: int) -> Slot:
    """The slot ``slot_id`` of ``service``; 404 if it is another service's or does not exist."""
    return get_object_or_404(Slot.objects.select_related("room__venue"), pk=slot_id,
                             service=service)


def find_service_slot(service: Service, slot_id: int) -> Slot | None:
    """The slot ``slot_id`` of ``service``, or None."""
    return Slot.objects.filter(pk=slot_id, service=service).first()


def get_booking(public_id: uuid.UUID, token: str) -> Booking:
    """The booking a private link names; 404 unless ``token`` is its manage token."""
    booking = get_object_or_404(
        Booking.objects.select_related("slot__room__venue", "service"), public_id=public_id)
    if not secrets.compare_digest(booking.manage_token, token):
        raise Http404
    return booking


def get_waitlist_entry(public_id: uuid.UUID, token: str) -> WaitlistEntry:
    """The waiting-list entry a private link names; 404 unless ``token`` is its manage token."""
    entry = get_object_or_404(
        WaitlistEntry.objects.select_related("slot__room__venue", "slot__service"),
        public_id=public_id)
    if not secrets.compare_digest(entry.manage_token, token):
        raise Http404
    return entry


@dataclasses.dataclass
class Day:
    date: dt.date
    in_month: bool
    slots: list[Slot]

    @property
    def free(self) -> int:
        return sum(s.remaining for s in self.slots if s.status == Slot.Status.OPEN)

    @property
    def has_slots(self) -> bool:
        return bool(self.slots)

    @property
    def is_past(self) -> bool:
        return self.date < timezone.localdate()


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return (timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz),
            timezone.make_aware(dt.datetime.combine(nxt, dt.time.min), tz))


def slots_between(service: Service, lo: dt.datetime, hi: dt.datetime) -> QuerySet[Slot]:
    return (Slot.objects.filter(service=service, starts_at__gte=lo, starts_at__lt=hi)
            .select_related("room__venue").order_by("starts_at", "room_id"))


def availability(service: Service, month: dt.date) -> list[list[Day]]:
    """The month as weeks (Monday first) of days with their slots, for a calendar table."""
    lo, hi = month_bounds(month)
    by_day: dict[dt.date, list[Slot]] = {}
    for slot in slots_between(service, lo, hi):
        by_day.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append([Day(d, d.month == month.month, by_day.get(d, []) if d.month == month.month
                          else []) for d in week])
    return weeks


def slots_on(service: Service, day: dt.date) -> list[Slot]:
    tz = timezone.get_default_timezone()
    lo = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    return list(slots_between(service, lo, lo + dt.timedelta(days=1)))


def upcoming_bookings_for(user: User) -> QuerySet[Booking]:
    """The confirmed bookings of ``user`` that have not started yet, soonest first."""
    return (Booking.objects.filter(user=user, status=Booking.Status.CONFIRMED,
                                   slot__starts_at__gt=timezone.now())
            .select_related("slot__room__venue", "service").order_by("slot__starts_at"))


def bookings_for(user: User) -> QuerySet[Booking]:
    """All bookings of ``user``, newest slot first."""
    return (Booking.objects.filter(user=user)
            .select_related("slot__room__venue", "service").order_by("-slot__starts_at"))


def waitlist_entries_for(user: User) -> QuerySet[WaitlistEntry]:
    return (WaitlistEntry.objects.filter(
        user=user, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED],
        slot__starts_at__gt=timezone.now())
        .select_related("slot__room__venue", "slot__service").order_by("slot__starts_at"))


def first_bookable_month(service: Service) -> dt.date:
    today = timezone.localdate()
    nxt = (Slot.objects.filter(service=service, starts_at__gte=timezone.now(),
                               status=Slot.Status.OPEN).order_by("starts_at").first())
    day = timezone.localtime(nxt.starts_at).date() if nxt else today
    return day.replace(day=1)
