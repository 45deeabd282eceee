"""The dashboard's arithmetic: histogram percentiles, fiscal years, suppression, hours saved."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from madoguchi.bpr import figures


def nearest_rank(values: list[int], pct: int) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct * len(ordered) / 100)) - 1]


@given(st.lists(st.floats(min_value=0, max_value=500 * 86_400), min_size=1, max_size=200),
       st.sampled_from([1, 10, 50, 90, 95, 99, 100]), st.integers(min_value=1, max_value=5))
def test_percentile_from_buckets_equals_percentile_of_the_floored_lead_times(seconds, pct, parts):
    # Split the lead times over several day histograms: the merged histogram answers as the raw
    # values would (each floored to whole days, a year or more in one bucket).
    histograms: list[dict[str, int]] = [{} for _ in range(parts)]
    for i, value in enumerate(seconds):
        bucket = str(figures.lead_bucket(value))
        histograms[i % parts][bucket] = histograms[i % parts].get(bucket, 0) + 1
    merged = figures.add_histograms(histograms)
    assert sum(merged.values()) == len(seconds)
    expected = nearest_rank([min(int(s // 86_400), figures.MAX_LEAD_DAYS) for s in seconds], pct)
    assert figures.percentile(merged, pct) == expected


def test_percentile_of_nothing_is_none_and_small_cases():
    assert figures.percentile({}, 50) is None
    assert figures.percentile({"3": 1}, 90) == 3
    assert figures.percentile({"1": 1, "10": 1}, 50) == 1
    assert figures.percentile({"1": 1, "10": 1}, 90) == 10
    assert figures.percentile({"2": 9, "40": 1}, 90) == 2
    assert figures.percentile({"2": 9, "40": 1}, 95) == 40


def test_fiscal_year_boundary_and_labels():
    assert figures.fiscal_year(dt.date(2026, 3, 31)) == 2025
    assert figures.fiscal_year(dt.date(2026, 4, 1)) == 2026
    assert figures.fiscal_year_bounds(2025) == (dt.date(2025, 4, 1), dt.date(2026, 3, 1))
    assert figures.fiscal_year_label(2026) == "令和8年度"
    assert figures.fiscal_year_label(2019) == "令和元年度"  # began in 平成31年 April
    assert figures.fiscal_year_label(2018) == "平成30年度"


@given(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_day_falls_in_the_months_of_its_fiscal_year(day):
    first, last = figures.fiscal_year_bounds(figures.fiscal_year(day))
    months = figures.months_between(first, last)
    assert len(months) == 12
    assert day.replace(day=1) in months


def test_small_counts_are_suppressed():
    assert [figures.shown(n) for n in (0, 1, 4, 5, 1234)] == ["0", "5未満", "5未満", "5",
                                                               "1,234"]
    assert figures.share(3, 4) is None
    assert figures.share(1, 8) == Decimal("12.5")


@given(st.decimals(min_value=0, max_value=1000, places=1),
       st.decimals(min_value=0, max_value=1000, places=1), st.integers(0, 10**6))
def test_hours_saved_is_the_minutes_saved_times_the_volume(as_is, to_be, volume):
    hours = figures.hours_saved(as_is, to_be, volume)
    assert abs(hours - (as_is - to_be) * volume / 60) <= Decimal("0.05")
    assert (hours > 0) == ((as_is - to_be) * volume / 60 >= Decimal("0.05"))


def test_hours_saved_example():
    # 42.5 minutes as-is, 4 to-be, 120 cases: 38.5 × 120 / 60 = 77 hours.
    assert figures.hours_saved(Decimal("42.5"), Decimal("4"), 120) == Decimal("77.0")
    assert figures.hours_of(Decimal("5"), 30) == Decimal("2.5")
