"""City-wide statistics of applications for the staff statistics page: counts only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from madoguchi.catalog.models import Procedure

from .models import Application


@dataclass
class ProcedureRow:
    """Counts of one procedure in one month, by status."""

    procedure: object
    counts: dict[str, int] = field(default_factory=dict)
    cells: list[int] = field(default_factory=list)  # counts in the order of the statuses

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class MonthStats:
    month: dt.date
    rows: list[ProcedureRow]
    totals: dict[str, int]
    cells: list[int]  # totals in the order of the statuses

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def monthly_application_counts(statuses: list[str], months: int = 12) -> list[MonthStats]:
    """Applications of the whole city per month (JST, newest first), procedure and status.

    ``cells`` hold the counts in the order of ``statuses``.

    Only counts: no names, answers or receipt numbers leave this function.
    """
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    rows = (
        Application.objects.filter(submitted_at__gte=start)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month", "procedure_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    procedures = {p.pk: p for p in Procedure.objects.only("id", "name", "sort_order")}
    by_month: dict[dt.date, dict[int, ProcedureRow]] = {}
    for row in rows:
        month = row["month"]
        month = timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        per_procedure = by_month.setdefault(month, {})
        item = per_procedure.setdefault(
            row["procedure_id"], ProcedureRow(procedures.get(row["procedure_id"]))
        )
        item.counts[row["status"]] = item.counts.get(row["status"], 0) + row["n"]
    result = []
    for month in sorted(by_month, reverse=True):
        items = sorted(by_month[month].items(),
                       key=lambda kv: (getattr(kv[1].procedure, "sort_order", 0), kv[0]))
        totals: dict[str, int] = {}
        for _pk, item in items:
            item.cells = [item.counts.get(s, 0) for s in statuses]
            for status, n in item.counts.items():
                totals[status] = totals.get(status, 0) + n
        result.append(MonthStats(month, [item for _pk, item in items], totals,
                                 [totals.get(s, 0) for s in statuses]))
    return result
