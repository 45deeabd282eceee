"""Rolling up one Tokyo day into the effect dashboard's tables (idempotent, any past day).

:func:`roll_up_day` counts what happened on the day (applications received, decided with their
lead times, returned; bookings; chat questions; counter visits), replaces that day's ``DAY``
rows in one transaction, then re-sums the ``MONTH`` rows of the day's month from its day rows.
Running a day twice leaves the tables exactly as once. Every read is bounded by the day, through
an index on its time column, so a day costs the same whatever the size of the tables. A range of
days (``--since``, the demo's history) is rolled up in one pass over its rows, each counted on
its Tokyo day: the same rows as day by day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from madoguchi.applications.models import Application, Status, StatusEvent
from madoguchi.counter import selectors as counter_selectors
from madoguchi.faq.models import ChatQuestion, Inquiry
from madoguchi.reservations.models import Booking
from madoguchi.staff.models import Department

from . import figures
from .rollups import (
    ROLLUP_MODELS,
    ApplicationFigures,
    BookingFigures,
    ChatFigures,
    RollupRow,
    Span,
    VisitFigures,
)

DECISIONS = (Status.APPROVED, Status.REJECTED)


@dataclass(frozen=True)
class DayResult:
    day: dt.date
    rows: int


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the Tokyo day and of the next day (aware datetimes)."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, start + dt.timedelta(days=1)


def _range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_bounds(first)[0], day_bounds(last)[1]


def _day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _application_rows(first: dt.date, last: dt.date) -> list[ApplicationFigures]:
    start, end = _range(first, last)
    departments = list(Department.objects.values_list("pk", flat=True))
    cells: dict[tuple[dt.date, int, int, str], dict[str, Any]] = {}

    def cell(day: dt.date, procedure: int, department: int, channel: str) -> dict[str, Any]:
        return cells.setdefault((day, procedure, department, channel), {
            "received": 0, "decided": 0, "decided_after_return": 0, "returned": 0,
            "lead_days": defaultdict(int)})

    # Listing the departments lets the (department, submitted_at) index serve the range.
    received = (Application.objects
                .filter(department_id__in=departments, submitted_at__gte=start,
                        submitted_at__lt=end)
                .values_list("procedure_id", "department_id", "channel", "submitted_at")
                .order_by())
    for procedure, department, channel, submitted in received.iterator(chunk_size=5000):
        cell(_day(submitted), procedure, department, channel)["received"] += 1
    events = StatusEvent.objects.filter(at__gte=start, at__lt=end)
    was_returned = StatusEvent.objects.filter(application_id=OuterRef("application_id"),
                                              to_status=Status.RETURNED, at__lt=OuterRef("at"))
    decisions = (events.filter(to_status__in=DECISIONS)
                 .annotate(after_return=Exists(was_returned))
                 .values_list("application__procedure_id", "application__department_id",
                              "application__channel", "application__submitted_at", "at",
                              "after_return").order_by())
    for procedure, department, channel, submitted, at, after_return in decisions.iterator(
            chunk_size=5000):
        figures_of = cell(_day(at), procedure, department, channel)
        figures_of["decided"] += 1
        figures_of["decided_after_return"] += int(bool(after_return))
        figures_of["lead_days"][figures.lead_bucket((at - submitted).total_seconds())] += 1
    returned = (events.filter(to_status=Status.RETURNED)
                .values_list("application__procedure_id", "application__department_id",
                             "application__channel", "at").order_by())
    for procedure, department, channel, at in returned.iterator(chunk_size=5000):
        cell(_day(at), procedure, department, channel)["returned"] += 1
    return [
        ApplicationFigures(
            span=Span.DAY, start=day, procedure_id=procedure, department_id=department,
            channel=channel, received=c["received"], decided=c["decided"],
            decided_after_return=c["decided_after_return"], returned=c["returned"],
            lead_days={str(k): v for k, v in sorted(c["lead_days"].items())})
        for (day, procedure, department, channel), c in sorted(cells.items())
    ]


def _booking_rows(first: dt.date, last: dt.date) -> list[BookingFigures]:
    start, end = _range(first, last)
    cells: dict[tuple[dt.date, int, int | None], dict[str, int]] = {}
    rows = (Booking.objects.filter(created_at__gte=start, created_at__lt=end)
            .values_list("service__department_id", "service__procedure_id", "channel",
                         "created_at").order_by())
    for department, procedure, channel, created in rows.iterator(chunk_size=5000):
        c = cells.setdefault((_day(created), department, procedure), {"online": 0, "phone": 0})
        c["phone" if channel == Booking.Channel.PHONE else "online"] += 1
    return [BookingFigures(span=Span.DAY, start=day, department_id=department,
                           procedure_id=procedure, **c)
            for (day, department, procedure), c in sorted(cells.items(), key=str)]


def _chat_rows(first: dt.date, last: dt.date) -> list[ChatFigures]:
    start, end = _range(first, last)
    cells: dict[tuple[dt.date, int | None], dict[str, int]] = {}

    def cell(day: dt.date, department: int | None) -> dict[str, int]:
        return cells.setdefault((day, department), {"questions": 0, "answered": 0,
                                                    "unanswered": 0, "escalated": 0})

    questions = (ChatQuestion.objects.filter(created_at__gte=start, created_at__lt=end)
                 .values_list("best_entry__department_id", "match_count", "helpful",
                              "created_at").order_by())
    for department, match_count, helpful, created in questions.iterator(chunk_size=5000):
        c = cell(_day(created), department)
        c["questions"] += 1
        # Unanswered as the FAQ's staff list counts it: no match, or marked unhelpful.
        c["unanswered" if match_count == 0 or helpful is False else "answered"] += 1
    escalated = (Inquiry.objects.filter(created_at__gte=start, created_at__lt=end,
                                        chat_question__isnull=False)
                 .values_list("department_id", "created_at").order_by())
    for department, created in escalated.iterator(chunk_size=5000):
        cell(_day(created), department)["escalated"] += 1
    return [ChatFigures(span=Span.DAY, start=day, department_id=department, **c)
            for (day, department), c in sorted(cells.items(), key=str)]


def _visit_rows(first: dt.date, last: dt.date) -> list[VisitFigures]:
    cells: dict[tuple[dt.date, int | None], dict[str, Any]] = {}
    for visit in counter_selectors.ended_visits(*_range(first, last)):
        c = cells.setdefault((_day(visit.ended_at), visit.department_id),
                             {"visits": 0, "minutes": Decimal(0), "forms": 0})
        c["visits"] += 1
        c["minutes"] += Decimal(visit.minutes or 0)
        c["forms"] += visit.forms_produced
    return [VisitFigures(span=Span.DAY, start=day, department_id=department, **c)
            for (day, department), c in sorted(cells.items(), key=str)]


def _month_rows(month: dt.date) -> list[RollupRow]:
    """The ``MONTH`` rows of ``month``: its ``DAY`` rows summed per key."""
    days = {"span": Span.DAY, "start__gte": month, "start__lt": figures.month_after(month)}
    rows: list[RollupRow] = []
    apps: dict[tuple[int, int | None, str], dict[str, Any]] = {}
    for row in ApplicationFigures.objects.filter(**days).order_by("start", "pk"):
        key = (row.procedure_id, row.department_id, row.channel)
        total = apps.setdefault(key, {"received": 0, "decided": 0, "decided_after_return": 0,
                                      "returned": 0, "lead_days": []})
        for name in ("received", "decided", "decided_after_return", "returned"):
            total[name] += getattr(row, name)
        total["lead_days"].append(row.lead_days)
    for (procedure, department, channel), total in sorted(apps.items(), key=str):
        rows.append(ApplicationFigures(
            span=Span.MONTH, start=month, procedure_id=procedure, department_id=department,
            channel=channel, received=total["received"], decided=total["decided"],
            decided_after_return=total["decided_after_return"], returned=total["returned"],
            lead_days=figures.add_histograms(total["lead_days"])))
    for model, keys, sums in (
        (BookingFigures, ("department_id", "procedure_id"), ("online", "phone")),
        (ChatFigures, ("department_id",), ("questions", "answered", "unanswered", "escalated")),
        (VisitFigures, ("department_id",), ("visits", "minutes", "forms")),
    ):
        grouped = (model.objects.filter(**days).values(*keys)
                   .annotate(**{name: Sum(name) for name in sums}).order_by(*keys))
        rows.extend(model(span=Span.MONTH, start=month, **row) for row in grouped)
    return rows


@transaction.atomic
def roll_up_days(first: dt.date, last: dt.date) -> list[DayResult]:
    """Replace the ``DAY`` rows of every day from ``first`` to ``last`` (inclusive, Tokyo) and
    the ``MONTH`` rows of the months they touch with what the source tables say now."""
    rows: list[RollupRow] = [*_application_rows(first, last), *_booking_rows(first, last),
                             *_chat_rows(first, last), *_visit_rows(first, last)]
    for model in ROLLUP_MODELS:
        model.objects.filter(span=Span.DAY, start__gte=first, start__lte=last).delete()
    _bulk_create(rows)
    for month in figures.months_between(first, last):
        roll_up_month(month)
    per_day: dict[dt.date, int] = defaultdict(int)
    for row in rows:
        per_day[row.start] += 1
    return [DayResult(day=first + dt.timedelta(days=n),
                      rows=per_day.get(first + dt.timedelta(days=n), 0))
            for n in range((last - first).days + 1)]


def roll_up_day(day: dt.date) -> DayResult:
    """Replace the day's rows and its month's rows with what the source tables say now."""
    return roll_up_days(day, day)[0]


@transaction.atomic
def roll_up_month(month: dt.date) -> None:
    """Replace the ``MONTH`` rows of ``month`` by the sums of its ``DAY`` rows."""
    for model in ROLLUP_MODELS:
        model.objects.filter(span=Span.MONTH, start=month).delete()
    _bulk_create(_month_rows(month))


def _bulk_create(rows: list[RollupRow]) -> None:
    by_model: dict[type[RollupRow], list[RollupRow]] = defaultdict(list)
    for row in rows:
        by_model[type(row)].append(row)
    for model, items in by_model.items():
        model.objects.bulk_create(items, batch_size=500)
