"""Utilisation of reservation services: counts only, never personal data.

For each service and period (by the day of the slot, JST): slots (and how many were closed),
places offered (capacity of the open slots), bookings that were not cancelled, attended,
no-show, cancelled, and the utilisation = bookings ÷ places offered. Two grouped queries
whatever the size of the period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .models import Booking, Service, Slot


@dataclasses.dataclass
class Utilisation:
    service: Service | None
    slots: int = 0
    closed_slots: int = 0
    capacity: int = 0
    booked: int = 0
    confirmed: int = 0
    attended: int = 0
    no_show: int = 0
    cancelled: int = 0

    @property
    def rate(self) -> float | None:
        """Bookings (not cancelled) per place offered, in percent; None without places."""
        if not self.capacity:
            return None
        return round(100 * self.booked / self.capacity, 1)

    @property
    def attendance(self) -> float | None:
        """Attended among those whose day came (attended + no-show), in percent."""
        checked = self.attended + self.no_show
        if not checked:
            return None
        return round(100 * self.attended / checked, 1)

    def add(self, other: Utilisation) -> None:
        for name in ("slots", "closed_slots", "capacity", "booked", "confirmed", "attended",
                     "no_show", "cancelled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return (timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min),
                                tz))


def utilisation(services: QuerySet[Service], start: dt.date,
                end: dt.date) -> tuple[list[Utilisation], Utilisation]:
    """One row per service (in the queryset's order) for ``start``..``end`` inclusive, and
    the totals."""
    lo, hi = period_bounds(start, end)
    services = list(services)
    ids = [s.pk for s in services]
    open_q = Q(status=Slot.Status.OPEN)
    slot_rows = {
        row["service_id"]: row for row in
        Slot.objects.filter(service_id__in=ids, starts_at__gte=lo, starts_at__lt=hi)
        .values("service_id")
        .annotate(slots=Count("id"), closed=Count("id", filter=~open_q),
                  capacity=Sum("capacity", filter=open_q))
        .order_by()
    }
    status = Booking.Status
    booking_rows = {
        row["service_id"]: row for row in
        Booking.objects.filter(service_id__in=ids, slot__starts_at__gte=lo,
                               slot__starts_at__lt=hi)
        .values("service_id")
        .annotate(
            booked=Count("id", filter=Q(status__in=Booking.ACTIVE)),
            confirmed=Count("id", filter=Q(status=status.CONFIRMED)),
            attended=Count("id", filter=Q(status=status.ATTENDED)),
            no_show=Count("id", filter=Q(status=status.NO_SHOW)),
            cancelled=Count("id", filter=Q(status=status.CANCELLED)),
        )
        .order_by()
    }
    rows = []
    total = Utilisation(service=None)
    for service in services:
        s = slot_rows.get(service.pk, {})
        b = booking_rows.get(service.pk, {})
        row = Utilisation(
            service=service, slots=s.get("slots", 0), closed_slots=s.get("closed", 0),
            capacity=s.get("capacity") or 0, booked=b.get("booked", 0),
            confirmed=b.get("confirmed", 0), attended=b.get("attended", 0),
            no_show=b.get("no_show", 0), cancelled=b.get("cancelled", 0),
        )
        total.add(row)
        rows.append(row)
    return rows, total
