"""Staff reads on reservations: the day roster, one booking, target slots for a move.

Every read is scoped to the staff member's department: a booking, slot, service or venue of
another department is not found (404), as for applications.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from madoguchi.staff.models import StaffMember

from ..models import Booking, Room, Service, Slot, Venue, WaitlistEntry
from .services import day_bounds

MOVE_DAYS_AHEAD = 60
MOVE_MAX_SLOTS = 200


def department_services(staff: StaffMember) -> QuerySet[Service]:
    return Service.objects.filter(department_id=staff.department_id).order_by("id")


def department_venues(staff: StaffMember) -> QuerySet[Venue]:
    return Venue.objects.filter(department_id=staff.department_id).order_by("id")


def department_rooms(staff: StaffMember) -> QuerySet[Room]:
    return (Room.objects.filter(venue__department_id=staff.department_id)
            .select_related("venue").order_by("venue_id", "id"))


def get_service(staff: StaffMember, code: object) -> Service:
    if not isinstance(code, str) or not code or len(code) > 50:
        raise Http404
    service = department_services(staff).filter(code=code).first()
    if service is None:
        raise Http404
    return service


def get_venue(staff: StaffMember, code: object) -> Venue:
    if not isinstance(code, str) or not code or len(code) > 50:
        raise Http404
    venue = department_venues(staff).filter(code=code).first()
    if venue is None:
        raise Http404
    return venue


def get_slot(staff: StaffMember, slot_id: int) -> Slot:
    slot = (Slot.objects.select_related("service", "room__venue")
            .filter(pk=slot_id, service__department_id=staff.department_id).first())
    if slot is None:
        raise Http404
    return slot


def get_booking(staff: StaffMember, public_id: object) -> Booking:
    booking = (Booking.objects.select_related("slot__room__venue", "service", "booked_by",
                                              "user")
               .filter(public_id=public_id, service__department_id=staff.department_id)
               .first())
    if booking is None:
        raise Http404
    return booking


@dataclasses.dataclass
class RosterSlot:
    slot: Slot
    bookings: list[Booking]
    cancelled: list[Booking]
    waiting: int

    @property
    def counts(self) -> dict[str, int]:
        out = {status: 0 for status in Booking.Status.values}
        for booking in self.bookings:
            out[booking.status] += 1
        out[Booking.Status.CANCELLED] = len(self.cancelled)
        return out


@dataclasses.dataclass
class RosterService:
    service: Service
    slots: list[RosterSlot]

    @property
    def people(self) -> int:
        return sum(len(s.bookings) for s in self.slots)

    @property
    def attended(self) -> int:
        return sum(s.counts[Booking.Status.ATTENDED] for s in self.slots)

    @property
    def no_show(self) -> int:
        return sum(s.counts[Booking.Status.NO_SHOW] for s in self.slots)


def roster(staff: StaffMember, day: dt.date, *, service: Service | None = None,
           venue: Venue | None = None) -> list[RosterService]:
    """The department's slots on ``day`` with their bookings, grouped by service.

    Active bookings (confirmed, attended, no-show) are listed by furigana; cancelled ones are
    kept apart. Four queries however many slots there are.
    """
    lo, hi = day_bounds(day)
    slots = (Slot.objects.filter(service__department_id=staff.department_id,
                                 starts_at__gte=lo, starts_at__lt=hi)
             .select_related("service", "room__venue")
             .prefetch_related(Prefetch(
                 "bookings", queryset=Booking.objects.select_related("booked_by")
                 .order_by("family_kana", "given_kana", "id"), to_attr="all_bookings"))
             .order_by("service_id", "starts_at", "room_id"))
    if service is not None:
        slots = slots.filter(service=service)
    if venue is not None:
        slots = slots.filter(room__venue=venue)
    slots = list(slots)
    waiting: dict[int, int] = {}
    for slot_id in WaitlistEntry.objects.filter(
        slot__in=slots, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
    ).values_list("slot_id", flat=True):
        waiting[slot_id] = waiting.get(slot_id, 0) + 1
    grouped: dict[int, RosterService] = {}
    for slot in slots:
        group = grouped.setdefault(slot.service_id, RosterService(slot.service, []))
        active = [b for b in slot.all_bookings if b.is_active]
        cancelled = [b for b in slot.all_bookings if not b.is_active]
        group.slots.append(RosterSlot(slot, active, cancelled, waiting.get(slot.pk, 0)))
    return list(grouped.values())


def move_targets(booking: Booking, *, now: dt.datetime | None = None,
                 days: int = MOVE_DAYS_AHEAD) -> list[Slot]:
    """Open slots of the booking's service with a free place, from now for ``days`` days."""
    now = now or timezone.now()
    return list(Slot.objects.filter(
        service_id=booking.service_id, status=Slot.Status.OPEN, starts_at__gt=now,
        starts_at__lt=now + dt.timedelta(days=days), booked__lt=F("capacity"),
    ).exclude(pk=booking.slot_id).select_related("room__venue")
        .order_by("starts_at", "room_id")[:MOVE_MAX_SLOTS])
