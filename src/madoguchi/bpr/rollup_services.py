"""Rolling up one Tokyo day into the effect dashboard's tables (idempotent, any past day).

:func:`roll_up_day` counts what happened on the day (applications received, decided with their
lead times, returned; bookings; chat questions; counter visits), replaces that day's ``DAY``
rows in one transaction, then re-sums the ``MONTH`` rows of the day's month from its day rows.
Running a day twice leaves the tables exactly as once. Every read is bounded by the day, through
an index on its time column, so a day costs the same whatever the size of the tables.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
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


def _application_rows(day: dt.date) -> list[ApplicationFigures]:
    start, end = day_bounds(day)
    departments = list(Department.objects.values_list("pk", flat=True))
    cells: dict[tuple[int, int, str], dict[str, Any]] = {}

    def cell(procedure: int, department: int, channel: str) -> dict[str, Any]:
        return cells.setdefault((procedure, department, channel), {
            "received": 0, "decided": 0, "decided_after_return": 0, "returned": 0,
            "lead_days": defaultdict(int)})

    # Listing the departments lets the (department, submitted_at) index serve the range.
    received = (Application.objects
                .filter(department_id__in=departments, submitted_at__gte=start,
                        submitted_at__lt=end)
                .values("procedure_id", "department_id", "channel").annotate(n=Count("pk"))
                .order_by())
    for row in received:
        cell(row["procedure_id"], row["department_id"], row["channel"])["received"] += row["n"]
    events = StatusEvent.objects.filter(at__gte=start, at__lt=end)
    was_returned = StatusEvent.objects.filter(application_id=OuterRef("application_id"),
                                              to_status=Status.RETURNED, at__lt=OuterRef("at"))
    decisions = (events.filter(to_status__in=DECISIONS)
                 .annotate(after_return=Exists(was_returned))
                 .values_list("application__procedure_id", "application__department_id",
                              "application__channel", "application__submitted_at", "at",
                              "after_return"))
    for procedure, department, channel, submitted, at, after_return in decisions.iterator():
        figures_of = cell(procedure, department, channel)
        figures_of["decided"] += 1
        figures_of["decided_after_return"] += int(bool(after_return))
        figures_of["lead_days"][figures.lead_bucket((at - submitted).total_seconds())] += 1
    returned = (events.filter(to_status=Status.RETURNED)
                .values("application__procedure_id", "application__department_id",
                        "application__channel").annotate(n=Count("pk")).order_by())
    for row in returned:
        cell(row["application__procedure_id"], row["application__department_id"],
             row["application__channel"])["returned"] += row["n"]
    return [
        ApplicationFigures(
            span=Span.DAY, start=day, procedure_id=procedure, department_id=department,
            channel=channel, received=c["received"], decided=c["decided"],
            decided_after_return=c["decided_after_return"], returned=c["returned"],
            lead_days={str(k): v for k, v in sorted(c["lead_days"].items())})
        for (procedure, department, channel), c in sorted(cells.items())
    ]


def _booking_rows(day: dt.date) -> list[BookingFigures]:
    start, end = day_bounds(day)
    rows = (Booking.objects.filter(created_at__gte=start, created_at__lt=end)
            .values("service__department_id", "service__procedure_id")
            .annotate(phone=Count("pk", filter=Q(channel=Booking.Channel.PHONE)),
                      online=Count("pk", filter=~Q(channel=Booking.Channel.PHONE)))
            .order_by("service__department_id", "service__procedure_id"))
    return [BookingFigures(span=Span.DAY, start=day, department_id=r["service__department_id"],
                           procedure_id=r["service__procedure_id"], online=r["online"],
                           phone=r["phone"]) for r in rows]


def _chat_rows(day: dt.date) -> list[ChatFigures]:
    start, end = day_bounds(day)
    cells: dict[int | None, dict[str, int]] = {}

    def cell(department: int | None) -> dict[str, int]:
        return cells.setdefault(department, {"questions": 0, "answered": 0, "unanswered": 0,
                                             "escalated": 0})

    unanswered = Q(match_count=0) | Q(helpful=False)
    questions = (ChatQuestion.objects.filter(created_at__gte=start, created_at__lt=end)
                 .values("best_entry__department_id")
                 .annotate(n=Count("pk"), unanswered=Count("pk", filter=unanswered))
                 .order_by())
    for row in questions:
        c = cell(row["best_entry__department_id"])
        c["questions"] += row["n"]
        c["unanswered"] += row["unanswered"]
        c["answered"] += row["n"] - row["unanswered"]
    escalated = (Inquiry.objects.filter(created_at__gte=start, created_at__lt=end,
                                        chat_question__isnull=False)
                 .values("department_id").annotate(n=Count("pk")).order_by())
    for row in escalated:
        cell(row["department_id"])["escalated"] += row["n"]
    return [ChatFigures(span=Span.DAY, start=day, department_id=department, **c)
            for department, c in sorted(cells.items(), key=lambda kv: kv[0] or 0)]


def _visit_rows(day: dt.date) -> list[VisitFigures]:
    rows = []
    for department in Department.objects.values_list("pk", flat=True).order_by("pk"):
        measured = counter_selectors.measures(day, day, department_id=department)
        if not measured.visits:
            continue
        # The counter gives the average to a tenth of a minute; the total follows from it.
        minutes = Decimal(str(measured.average_minutes or 0)) * measured.visits
        rows.append(VisitFigures(span=Span.DAY, start=day, department_id=department,
                                 visits=measured.visits, minutes=minutes,
                                 forms=measured.forms_produced))
    return rows


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
def roll_up_day(day: dt.date, *, month: bool = True) -> DayResult:
    """Replace the day's rows and (unless ``month`` is false) its month's rows with what the
    source tables say now."""
    day_rows: list[RollupRow] = [*_application_rows(day), *_booking_rows(day),
                                 *_chat_rows(day), *_visit_rows(day)]
    for model in ROLLUP_MODELS:
        model.objects.filter(span=Span.DAY, start=day).delete()
    _bulk_create(day_rows)
    if month:
        roll_up_month(day.replace(day=1))
    return DayResult(day=day, rows=len(day_rows))


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


def roll_up_days(first: dt.date, last: dt.date) -> list[DayResult]:
    """Roll up every day from ``first`` to ``last`` inclusive (oldest first), then each month
    they touch once."""
    results = []
    day = first
    while day <= last:
        results.append(roll_up_day(day, month=False))
        day += dt.timedelta(days=1)
    for month in figures.months_between(first, last):
        roll_up_month(month)
    return results
