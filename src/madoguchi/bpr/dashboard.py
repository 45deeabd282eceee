"""Reads of the effect dashboard: its tables and charts, from the monthly roll-up rows only.

A page reads at most (months × procedures × channels) ``MONTH`` rows, whatever the number of
applications behind them. Every count of 1–4 is shown as 「5未満」 (tables, charts, downloads);
shares and lead times are left out when fewer than five cases stand behind them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Min, QuerySet, Sum
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from madoguchi.catalog.models import Procedure
from madoguchi.core.i18n import localized
from madoguchi.staff.models import Department

from . import charts, figures
from .rollups import ApplicationFigures, BookingFigures, ChatFigures, Span, VisitFigures
from .selectors import minutes_per_case

CHANNELS = ("online", "line", "counter", "paper")
SELF_SERVICE = ("online", "line")  # the online share: the resident's own pages and LINE
DIGITAL = ("online", "line", "counter")  # the channels whose volume the hours saved count
MAX_MONTHS = 60


@dataclass(frozen=True)
class Scope:
    """What a page shows: a department (None: the whole city) and a month range."""

    department: Department | None
    first_month: dt.date
    last_month: dt.date

    @property
    def months(self) -> list[dt.date]:
        return figures.months_between(self.first_month, self.last_month)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "count"  # count (suppressed 1–4) | text | percent | days | hours | minutes | number


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    footer: list[Any] | None = None
    chart: SafeString | None = None
    note: str = ""

    def display_rows(self) -> list[list[str]]:
        return [[display(cell, col.kind) for cell, col in zip(row, self.columns, strict=True)]
                for row in self.rows]

    def display_footer(self) -> list[str] | None:
        if self.footer is None:
            return None
        return [display(c, col.kind) for c, col in zip(self.footer, self.columns, strict=True)]


def display(value: Any, kind: str) -> str:
    """A cell as text, the same on the page and in the downloads."""
    if value is None:
        return "—"
    if kind == "count":
        return figures.shown(int(value))
    if kind == "percent":
        return f"{value}%"
    if kind == "days":
        return _("%(days)s days") % {"days": value}
    if kind in ("hours", "minutes", "number"):
        return f"{Decimal(value):,}"
    return str(value)


def month_label(month: dt.date) -> str:
    return _("%(year)d-%(month)02d") % {"year": month.year, "month": month.month}


def month_tick(month: dt.date) -> str:
    """A month under a chart's column: short, the same in every language."""
    return f"{month.year}-{month.month:02d}"


def fiscal_year_name(year: int) -> str:
    return _("FY%(year)d (%(era)s)") % {"year": year, "era": figures.fiscal_year_label(year)}


def default_scope(department: Department | None, today: dt.date | None = None) -> Scope:
    """The last twelve months up to this month."""
    today = today or timezone.localdate()
    last = today.replace(day=1)
    first = last
    for _i in range(11):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return Scope(department, first, last)


def fiscal_years(today: dt.date | None = None) -> list[int]:
    """Fiscal years from the first rolled-up month to this one, newest first."""
    today = today or timezone.localdate()
    current = figures.fiscal_year(today)
    first = ApplicationFigures.objects.filter(span=Span.MONTH).aggregate(m=Min("start"))["m"]
    oldest = figures.fiscal_year(first) if first else current
    return list(range(current, max(oldest, current - 9) - 1, -1))


def _rows(model: Any, scope: Scope) -> QuerySet[Any]:
    rows = model.objects.filter(span=Span.MONTH, start__gte=scope.first_month,
                                start__lte=scope.last_month)
    if scope.department is not None:
        rows = rows.filter(department=scope.department)
    return rows


def _procedure_names(ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    return {p.pk: (p.sort_order, localized(p.name))
            for p in Procedure.objects.filter(pk__in=set(ids)).only("pk", "name", "sort_order")}


# --- sections ----------------------------------------------------------------------------------
def channels_table(scope: Scope, channel_labels: dict[str, str]) -> Table:
    per_month: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CHANNELS, 0))
    for row in (_rows(ApplicationFigures, scope).values("start", "channel")
                .annotate(n=Sum("received")).order_by()):
        if row["channel"] in CHANNELS:
            per_month[row["start"]][row["channel"]] += row["n"] or 0
    table = Table("channels", _("Applications per channel and month"), [
        Column(_("Month"), "text"), *(Column(channel_labels[c]) for c in CHANNELS),
        Column(_("Total")), Column(_("Online share"), "percent")])
    totals = dict.fromkeys(CHANNELS, 0)
    for month in scope.months:
        counts = per_month[month]
        total = sum(counts.values())
        for c in CHANNELS:
            totals[c] += counts[c]
        table.rows.append([month_label(month), *(counts[c] for c in CHANNELS), total,
                           figures.share(sum(counts[c] for c in SELF_SERVICE), total)])
    grand = sum(totals.values())
    table.footer = [_("Total"), *(totals[c] for c in CHANNELS), grand,
                    figures.share(sum(totals[c] for c in SELF_SERVICE), grand)]
    table.note = _("Online share: applications sent online or through LINE, out of all "
                   "applications received in the month.")
    table.chart = charts.column_chart(
        "chart-channels", table.title,
        _("Stacked columns, one per month, of the applications received online, through LINE, "
          "at the counter and on paper. The table beside gives the same figures."),
        [month_tick(m) for m in scope.months],
        [charts.Series(channel_labels[c], [per_month[m][c] for m in scope.months])
         for c in CHANNELS], stacked=True)
    return table


def lead_time_table(scope: Scope) -> Table:
    per_procedure: dict[int, dict[str, Any]] = {}
    for row in _rows(ApplicationFigures, scope).values_list(
            "procedure_id", "received", "decided", "decided_after_return", "returned",
            "lead_days"):
        procedure, received, decided, after_return, returned, lead = row
        item = per_procedure.setdefault(procedure, {"received": 0, "decided": 0,
                                                    "after_return": 0, "returned": 0,
                                                    "lead": []})
        item["received"] += received
        item["decided"] += decided
        item["after_return"] += after_return
        item["returned"] += returned
        item["lead"].append(lead)
    names = _procedure_names(per_procedure)
    table = Table("lead_time", _("Lead time from receipt to decision, and returns (差戻し)"), [
        Column(_("Procedure"), "text"), Column(_("Received")), Column(_("Decided")),
        Column(_("Lead time p50"), "days"), Column(_("Lead time p90"), "days"),
        Column(_("Returns requested")), Column(_("Decided after a return")),
        Column(_("Return rate"), "percent")])
    labels, p50s, p90s = [], [], []
    for procedure in sorted(per_procedure, key=lambda p: names.get(p, (0, ""))):
        item = per_procedure[procedure]
        enough = item["decided"] >= figures.SMALL_COUNT
        histogram = figures.add_histograms(item["lead"])
        p50 = figures.percentile(histogram, 50) if enough else None
        p90 = figures.percentile(histogram, 90) if enough else None
        name = names.get(procedure, (0, "—"))[1]
        table.rows.append([name, item["received"], item["decided"], p50, p90, item["returned"],
                           item["after_return"],
                           figures.share(item["after_return"], item["decided"])])
        if enough:
            labels.append(name)
            p50s.append(p50)
            p90s.append(p90)
    table.note = _("Lead time: days from the receipt of an application to its decision "
                   "(approved or rejected), over the applications decided in the period; shown "
                   "when at least five were decided. Return rate: the share of decided "
                   "applications that had been returned for correction at least once.")
    table.chart = charts.bar_chart(
        "chart-lead-time", table.title,
        _("Horizontal bars, two per procedure: the median (p50) and the 90th percentile (p90) "
          "of the days from receipt to decision. The table beside gives the same figures."),
        labels, [charts.Series(_("p50"), p50s, counts=False),
                 charts.Series(_("p90"), p90s, counts=False)], unit=_(" d"))
    return table


def bookings_table(scope: Scope) -> Table:
    minutes = Decimal(str(settings.MADOGUCHI_BPR_PHONE_BOOKING_MINUTES))
    per_month: dict[dt.date, dict[str, int]] = defaultdict(lambda: {"online": 0, "phone": 0})
    for row in (_rows(BookingFigures, scope).values("start")
                .annotate(online=Sum("online"), phone=Sum("phone")).order_by()):
        per_month[row["start"]] = {"online": row["online"] or 0, "phone": row["phone"] or 0}
    table = Table("bookings", _("Reservations online and by phone"), [
        Column(_("Month"), "text"), Column(_("Online")), Column(_("By phone")),
        Column(_("Total")), Column(_("Online share"), "percent"),
        Column(_("Phone hours replaced"), "hours")])
    online_total = phone_total = 0
    for month in scope.months:
        online, phone = per_month[month]["online"], per_month[month]["phone"]
        online_total += online
        phone_total += phone
        table.rows.append([month_label(month), online, phone, online + phone,
                           figures.share(online, online + phone),
                           figures.hours_of(minutes, online) if online >= 5 else None])
    table.footer = [_("Total"), online_total, phone_total, online_total + phone_total,
                    figures.share(online_total, online_total + phone_total),
                    figures.hours_of(minutes, online_total) if online_total >= 5 else None]
    table.note = _("Phone hours replaced: each reservation made online is counted as one phone "
                   "call of %(minutes)s minutes that staff did not have to take (setting "
                   "MADOGUCHI_BPR_PHONE_BOOKING_MINUTES).") % {"minutes": minutes}
    table.chart = charts.column_chart(
        "chart-bookings", table.title,
        _("Columns, two per month: reservations made online and by phone. The table beside "
          "gives the same figures."),
        [month_tick(m) for m in scope.months],
        [charts.Series(_("Online"), [per_month[m]["online"] for m in scope.months]),
         charts.Series(_("By phone"), [per_month[m]["phone"] for m in scope.months])])
    return table


def chat_table(scope: Scope) -> Table:
    keys = ("questions", "answered", "unanswered", "escalated")
    per_month: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for row in (_rows(ChatFigures, scope).values("start")
                .annotate(**{k: Sum(k) for k in keys}).order_by()):
        per_month[row["start"]] = {k: row[k] or 0 for k in keys}
    table = Table("chat", _("Chat questions"), [
        Column(_("Month"), "text"), Column(_("Questions")), Column(_("Answered by the FAQ")),
        Column(_("Unanswered")), Column(_("Escalated to an inquiry"))])
    totals = dict.fromkeys(keys, 0)
    for month in scope.months:
        for k in keys:
            totals[k] += per_month[month][k]
        table.rows.append([month_label(month), *(per_month[month][k] for k in keys)])
    table.footer = [_("Total"), *(totals[k] for k in keys)]
    table.note = _("Answered: an FAQ entry matched and the resident did not mark it unhelpful; "
                   "each answered question is a call the city did not receive. Unanswered: no "
                   "entry matched, or it did not help. Escalated: inquiries opened from a chat "
                   "question. A department sees the questions its FAQ answered.")
    table.chart = charts.column_chart(
        "chart-chat", table.title,
        _("Columns, three per month: chat questions answered by the FAQ, unanswered, and "
          "escalated to an inquiry. The table beside gives the same figures."),
        [month_tick(m) for m in scope.months],
        [charts.Series(_("Answered by the FAQ"), [per_month[m]["answered"] for m in scope.months]),
         charts.Series(_("Unanswered"), [per_month[m]["unanswered"] for m in scope.months]),
         charts.Series(_("Escalated to an inquiry"),
                       [per_month[m]["escalated"] for m in scope.months])])
    return table


def visits_table(scope: Scope) -> Table:
    per_month: dict[dt.date, dict[str, Any]] = {}
    for row in (_rows(VisitFigures, scope).values("start")
                .annotate(visits=Sum("visits"), minutes=Sum("minutes"), forms=Sum("forms"))
                .order_by()):
        per_month[row["start"]] = row
    table = Table("visits", _("Counter visits"), [
        Column(_("Month"), "text"), Column(_("Visits")), Column(_("Minutes per visit"), "number"),
        Column(_("Forms per visit"), "number")])
    values: list[Decimal | None] = []
    total_visits, total_minutes, total_forms = 0, Decimal(0), 0
    for month in scope.months:
        row = per_month.get(month)
        visits = int(row["visits"] or 0) if row else 0
        minutes = Decimal(row["minutes"] or 0) if row else Decimal(0)
        forms = int(row["forms"] or 0) if row else 0
        total_visits += visits
        total_minutes += minutes
        total_forms += forms
        per_visit = _per(minutes, visits)
        values.append(per_visit)
        table.rows.append([month_label(month), visits, per_visit, _per(Decimal(forms), visits)])
    table.footer = [_("Total"), total_visits, _per(total_minutes, total_visits),
                    _per(Decimal(total_forms), total_visits)]
    table.note = _("Minutes from the ticket (or the start of a walk-in visit) to the end of the "
                   "visit, and the forms it produced, over the visits ended in the month; shown "
                   "when there were at least five.")
    table.chart = charts.column_chart(
        "chart-visits", table.title,
        _("Columns, one per month: the average minutes of a counter visit. The table beside "
          "gives the same figures."),
        [month_tick(m) for m in scope.months],
        [charts.Series(_("Minutes per visit"), values, counts=False)], unit=_(" min"))
    return table


def _per(total: Decimal, count: int) -> Decimal | None:
    if count < figures.SMALL_COUNT:
        return None
    return (total / count).quantize(Decimal("0.1"))


def hours_table(scope: Scope) -> Table:
    volume: dict[int, int] = defaultdict(int)
    for row in (_rows(ApplicationFigures, scope).filter(channel__in=DIGITAL)
                .values("procedure_id").annotate(n=Sum("received")).order_by()):
        volume[row["procedure_id"]] += row["n"] or 0
    procedures = Procedure.objects.filter(bpr_worksheet__isnull=False)
    if scope.department is not None:
        procedures = procedures.filter(department=scope.department)
    minutes = minutes_per_case(procedures.values_list("pk", flat=True))
    names = _procedure_names(minutes)
    table = Table("hours", _("Hours saved"), [
        Column(_("Procedure"), "text"), Column(_("As-is minutes per case"), "minutes"),
        Column(_("To-be minutes per case"), "minutes"), Column(_("Minutes saved per case"),
                                                               "minutes"),
        Column(_("Cases online, through LINE and at the counter")),
        Column(_("Hours saved"), "hours")])
    total, total_cases = Decimal(0), 0
    labels, hours = [], []
    for procedure in sorted(minutes, key=lambda p: names.get(p, (0, ""))):
        case = minutes[procedure]
        n = volume.get(procedure, 0)
        saved = figures.hours_saved(case.as_is, case.to_be, n)
        name = names.get(procedure, (0, "—"))[1]
        shown_hours = None if figures.is_small(n) else saved
        if shown_hours is not None:  # a hidden row stays out of the totals, or subtraction
            total += saved           # would give its count back
            total_cases += n
        table.rows.append([name, case.as_is, case.to_be, case.saved, n, shown_hours])
        labels.append(name)
        hours.append(shown_hours)
    table.footer = [_("Total"), None, None, None, total_cases, total]
    table.note = _(
        "Hours saved per procedure = (minutes of work per case in the worksheet as it is − "
        "minutes per case in the worksheet as it will be) × the applications really received "
        "online, through LINE and at the counter in the period ÷ 60. Paper applications are "
        "not counted: their work is still the as-is work. Only procedures with a BPR "
        "worksheet are listed; the minutes are those of the worksheet today. A procedure "
        "with fewer than five cases is not counted in the totals either.")
    table.chart = charts.bar_chart(
        "chart-hours", table.title,
        _("Horizontal bars, one per procedure: the hours of work saved in the period. The table "
          "beside gives the same figures."),
        labels, [charts.Series(_("Hours saved"), hours, counts=False)], unit=_(" h"))
    return table


@dataclass
class Dashboard:
    scope: Scope
    tables: list[Table]
    last_day: dt.date | None

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


TABLES: Sequence[str] = ("channels", "lead_time", "bookings", "chat", "visits", "hours")


def dashboard(scope: Scope, channel_labels: dict[str, str]) -> Dashboard:
    """Every table of the page for ``scope``, each with its chart."""
    last_day = (ApplicationFigures.objects.filter(span=Span.DAY)
                .order_by("-start").values_list("start", flat=True).first())
    return Dashboard(scope, [
        channels_table(scope, channel_labels), lead_time_table(scope), bookings_table(scope),
        chat_table(scope), visits_table(scope), hours_table(scope),
    ], last_day)


def one_table(scope: Scope, name: str, channel_labels: dict[str, str]) -> Table:
    """One table of the page (for a download)."""
    build = {"channels": lambda: channels_table(scope, channel_labels),
             "lead_time": lambda: lead_time_table(scope), "bookings": lambda: bookings_table(scope),
             "chat": lambda: chat_table(scope), "visits": lambda: visits_table(scope),
             "hours": lambda: hours_table(scope)}
    return build[name]()
