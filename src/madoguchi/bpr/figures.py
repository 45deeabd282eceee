"""The arithmetic of the effect dashboard, in plain Python: lead-time histograms and their
percentiles, fiscal years (April–March, 令和 labels), small-count suppression, hours saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from madoguchi.jp.wareki import era_for

SMALL_COUNT = 5  # counts 1..SMALL_COUNT-1 are never shown as such: 「5未満」
SUPPRESSED = "5未満"
MAX_LEAD_DAYS = 366  # lead times of a year or more fall in this last bucket


# --- lead-time histograms ----------------------------------------------------------------------
def lead_bucket(seconds: float) -> int:
    """The histogram bucket of a lead time: whole days (floored), a year or more in one."""
    return min(max(int(seconds // 86_400), 0), MAX_LEAD_DAYS)


def add_histograms(histograms: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The sum of several ``{"days": count}`` histograms (as stored in JSON)."""
    total: dict[int, int] = {}
    for histogram in histograms:
        for key, count in histogram.items():
            days = int(key)
            total[days] = total.get(days, 0) + int(count)
    return {str(days): total[days] for days in sorted(total) if total[days]}


def percentile(histogram: Mapping[str, int], pct: int) -> int | None:
    """The nearest-rank ``pct`` percentile (1 ≤ pct ≤ 100) in whole days, None when empty.

    Equal to the same percentile of the lead times themselves, each floored to whole days.
    """
    counts = sorted((int(k), int(v)) for k, v in histogram.items() if int(v) > 0)
    n = sum(v for _k, v in counts)
    if n == 0:
        return None
    rank = max(1, -(-pct * n // 100))  # ceil(pct × n / 100), in integers
    seen = 0
    for days, count in counts:
        seen += count
        if seen >= rank:
            return days
    return counts[-1][0]


# --- fiscal years ------------------------------------------------------------------------------
def fiscal_year(day: dt.date) -> int:
    """The fiscal year (年度) of a day: April to March, named by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First month and last month (first days) of fiscal year ``year``."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 1)


def fiscal_year_label(year: int) -> str:
    """「令和7年度」: the era of the year's last day, so FY2019 is 令和元年度 (as cities write)."""
    era = era_for(dt.date(year + 1, 3, 31))
    number = year - era.start.year + 1
    return f"{era.name}{'元' if number == 1 else number}年度"


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from ``first``'s month to ``last``'s month, inclusive."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def month_after(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


# --- suppression -------------------------------------------------------------------------------
def is_small(count: int) -> bool:
    return 0 < count < SMALL_COUNT


def shown(count: int) -> str:
    """A count as shown anywhere on the dashboard: 1–4 become 「5未満」."""
    return SUPPRESSED if is_small(count) else f"{count:,}"


def share(part: int, whole: int) -> Decimal | None:
    """``part`` / ``whole`` in percent (one decimal); None when the whole is under five."""
    if whole < SMALL_COUNT:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- hours -------------------------------------------------------------------------------------
def hours_saved(as_is_minutes: Decimal, to_be_minutes: Decimal, volume: int) -> Decimal:
    """(as-is minutes − to-be minutes) per case × cases ÷ 60, in hours (one decimal).

    Negative when the to-be work takes longer.
    """
    return ((as_is_minutes - to_be_minutes) * volume / 60).quantize(Decimal("0.1"),
                                                                    ROUND_HALF_UP)


def hours_of(minutes_each: Decimal, count: int) -> Decimal:
    """``count`` times ``minutes_each`` minutes, in hours (one decimal)."""
    return (minutes_each * count / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)
