"""Reads for tickets: queues, measured service times and the data of the display snapshot."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter as Tally
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from madoguchi.catalog.selectors import get_city

from .models import QUEUED, Counter, Purpose, Ticket

SAMPLE = 20  # service times: the median of this many last served tickets per purpose
RECENT_CALLS = 8  # calls shown on the display


def purposes() -> QuerySet[Purpose]:
    """The city's purposes that take tickets, in kiosk order."""
    city = get_city()
    return Purpose.objects.filter(city=city, active=True).select_related("department")


def counters() -> QuerySet[Counter]:
    return Counter.objects.select_related("department")


def department_queue(department_id: int, day: dt.date) -> list[Ticket]:
    """The department's queued tickets in calling order (transferred first, then oldest)."""
    return list(
        Ticket.objects.filter(day=day, state__in=QUEUED, department_id=department_id)
        .select_related("purpose")
        .annotate(priority=Case(When(state=Ticket.State.TRANSFERRED, then=Value(0)),
                                default=Value(1), output_field=IntegerField()))
        .order_by("priority", "issued_at", "id")
    )


def service_seconds(purpose: Purpose) -> float:
    """Median duration of the purpose's last SAMPLE served tickets, else its default."""
    rows = (
        Ticket.objects.filter(purpose=purpose, state=Ticket.State.DONE,
                              started_at__isnull=False, ended_at__isnull=False)
        .order_by("-ended_at")
        .values_list("started_at", "ended_at")[:SAMPLE]
    )
    durations = [(end - begin).total_seconds() for begin, end in rows if end >= begin]
    if not durations:
        return float(purpose.default_minutes * 60)
    return float(statistics.median(durations))


@dataclass(frozen=True)
class PurposeLine:
    """A purpose as the display and the online page show it."""

    pk: int
    code: str
    name: dict[str, str]
    prefix: str
    waiting: int
    wait_minutes: int


@dataclass(frozen=True)
class Call:
    """A ticket called to a counter."""

    pk: int
    label: str
    counter_number: int
    counter_name: dict[str, str]
    called_at: dt.datetime
    recall_count: int


@dataclass(frozen=True)
class Place:
    """A queued ticket's place: tickets before it and the estimated wait."""

    ahead: int
    wait_minutes: int


@dataclass(frozen=True)
class Board:
    """Everything the display, the online list and the ticket page read between refreshes."""

    day: dt.date
    purposes: tuple[PurposeLine, ...]
    calls: tuple[Call, ...]
    places: dict[int, Place]

    def as_json(self) -> dict[str, Any]:
        return {
            "purposes": [{"code": p.code, "name": p.name, "prefix": p.prefix,
                          "waiting": p.waiting, "wait_minutes": p.wait_minutes}
                         for p in self.purposes],
            "calls": [{"number": c.label, "counter": c.counter_number,
                       "counter_name": c.counter_name, "recall": c.recall_count}
                      for c in self.calls],
        }


def board(now: dt.datetime | None = None) -> Board:
    """Read the day's queues once (a handful of queries) for the per-process snapshot."""
    day = timezone.localdate(now or timezone.now())
    lines = list(purposes())
    seconds = {p.pk: service_seconds(p) for p in lines}
    staffed = Tally(
        dict(Counter.objects.exclude(department=None).values("department_id")
             .annotate(n=Count("id")).values_list("department_id", "n"))
    )
    places: dict[int, Place] = {}
    backlog: dict[int, float] = {}
    for department_id in {p.department_id for p in lines}:
        width = max(1, staffed[department_id])
        total = 0.0
        for ahead, ticket in enumerate(department_queue(department_id, day)):
            places[ticket.pk] = Place(ahead=ahead, wait_minutes=math.ceil(total / width / 60))
            total += seconds.get(ticket.purpose_id, 8 * 60.0)
        backlog[department_id] = total / width
    waiting = dict(
        Ticket.objects.filter(day=day, state__in=QUEUED).values("purpose_id")
        .annotate(n=Count("id")).values_list("purpose_id", "n")
    )
    called = (
        Ticket.objects.filter(day=day, state=Ticket.State.CALLED, counter__isnull=False)
        .select_related("purpose", "counter").order_by("-called_at", "-id")[:RECENT_CALLS]
    )
    return Board(
        day=day,
        purposes=tuple(
            PurposeLine(pk=p.pk, code=p.code, name=dict(p.name), prefix=p.prefix,
                        waiting=waiting.get(p.pk, 0),
                        wait_minutes=math.ceil(backlog.get(p.department_id, 0.0) / 60))
            for p in lines
        ),
        calls=tuple(
            Call(pk=t.pk, label=t.label, counter_number=t.counter.number,
                 counter_name=dict(t.counter.name), called_at=t.called_at or t.issued_at,
                 recall_count=t.recall_count)
            for t in called if t.counter is not None
        ),
        places=places,
    )


def ticket(pk: int) -> Ticket | None:
    return Ticket.objects.select_related("purpose", "counter").filter(pk=pk).first()


def console(staff_department_id: int, counter: Counter | None,
            day: dt.date) -> dict[str, Any]:
    """The staff console: my counter's current tickets and the department's queue."""
    current = []
    if counter is not None:
        current = list(
            Ticket.objects.filter(day=day, counter=counter,
                                  state__in=(Ticket.State.CALLED, Ticket.State.SERVING),
                                  department_id=staff_department_id)
            .select_related("purpose").order_by("called_at", "id")
        )
    queue = department_queue(staff_department_id, day)
    return {"current": current, "queue": queue}
