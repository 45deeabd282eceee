"""Staff reads on reservations: the day roster, one booking and its history, target slots for
a move, the people on a slot, the slots a day closing would close.

Every read is scoped to the staff member's department: a booking, slot, service or venue of
another department is not found (404), as for applications.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from madoguchi.core.models import AuditEvent
from madoguchi.staff.models import StaffMember

from ..models import Booking, Room, Service, Slot, Venue, WaitlistEntry

Coded = TypeVar("Coded", Service, Venue)

MOVE_DAYS_AHEAD = 60
MOVE_MAX_SLOTS = 200


WAITING = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of ``day`` and of the next day, aware in JST."""
    lo = timezone.make_aware(dt.datetime.combine(day, dt.time.min),
                             timezone.get_default_timezone())
    return lo, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min),
                                   timezone.get_default_timezone())


def all_services() -> QuerySet[Service]:
    """Every service of the city, by department (the DX office's utilisation counts)."""
    return Service.objects.select_related("department").order_by("department_id", "id")


def department_services(staff: StaffMember) -> QuerySet[Service]:
    return Service.objects.filter(department_id=staff.department_id).order_by("id")


def department_venues(staff: StaffMember) -> QuerySet[Venue]:
    return Venue.objects.filter(department_id=staff.department_id).order_by("id")


def department_rooms(staff: StaffMember) -> QuerySet[Room]:
    return (Room.objects.filter(venue__department_id=staff.department_id)
            .select_related("venue").order_by("venue_id", "id"))


def find_service(staff: StaffMember, code: str) -> Service | None:
    """The department's service with ``code``, or None (a roster filter left empty or stale)."""
    return department_services(staff).filter(code=code).first() if code else None


def find_venue(staff: StaffMember, code: str) -> Venue | None:
    """The department's venue with ``code``, or None."""
    return department_venues(staff).filter(code=code).first() if code else None


def _by_code(rows: QuerySet[Coded], code: object) -> Coded:
    """The row of ``rows`` with ``code`` (a short text from the URL), else 404."""
    if not isinstance(code, str) or not code or len(code) > 50:
        raise Http404
    found = rows.filter(code=code).first()
    if found is None:
        raise Http404
    return found


def get_service(staff: StaffMember, code: object) -> Service:
    return _by_code(department_services(staff), code)


def get_venue(staff: StaffMember, code: object) -> Venue:
    return _by_code(department_venues(staff), code)


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


def booking_with_token_exists(request_token: str) -> bool:
    """Whether a booking was already made from the form carrying ``request_token``."""
    return Booking.objects.filter(request_token=request_token).exists()


ACTION_LABELS = {
    "reservation.book.phone": gettext_lazy("Booked for a phone caller"),
    "reservation.check_in": gettext_lazy("Check-in recorded"),
    "reservation.move": gettext_lazy("Moved to another time"),
    "reservation.cancel.staff": gettext_lazy("Cancelled by staff"),
}


def audit_trail(booking: Booking) -> list[dict[str, Any]]:
    """The changes staff made to this booking (booked, check-in, move, cancel), oldest first."""
    statuses = dict(Booking.Status.choices)
    events = (AuditEvent.objects.filter(target_type="booking", target_id=str(booking.public_id),
                                        action__in=list(ACTION_LABELS))
              .select_related("actor__staff_profile").order_by("at", "pk")[:100])
    out = []
    for event in events:
        details = event.details if isinstance(event.details, dict) else {}
        profile = getattr(event.actor, "staff_profile", None) if event.actor else None
        out.append({"at": event.at, "who": str(profile) if profile else event.actor_label,
                    "what": ACTION_LABELS[event.action],
                    "status": statuses.get(details.get("status"), "")})
    return out


def confirmed_bookings(slot: Slot) -> list[Booking]:
    """The people booked on ``slot`` (those a closing would tell), by furigana."""
    return list(slot.bookings.filter(status=Booking.Status.CONFIRMED)
                .order_by("family_kana", "given_kana", "id"))


def waiting_count(slot: Slot) -> int:
    """How many people wait for ``slot`` or hold an offer of it."""
    return slot.waitlist.filter(status__in=WAITING).count()


def confirmed_count(slots: Iterable[Slot]) -> int:
    """How many confirmed bookings the ``slots`` hold together."""
    return Booking.objects.filter(slot__in=list(slots), status=Booking.Status.CONFIRMED).count()


def closable_slots_on(venue: Venue, day: dt.date, *, department_id: int,
                      now: dt.datetime | None = None) -> list[Slot]:
    """The open, not yet ended slots of the department's services at ``venue`` on ``day``."""
    now = now or timezone.now()
    lo, hi = day_bounds(day)
    return list(Slot.objects.filter(
        room__venue=venue, service__department_id=department_id, status=Slot.Status.OPEN,
        starts_at__gte=lo, starts_at__lt=hi, ends_at__gt=now,
    ).select_related("service", "room").order_by("starts_at", "room_id"))


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
        slot__in=slots, status__in=WAITING
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
