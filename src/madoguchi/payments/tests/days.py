"""Bank holidays after today, so the tests hold whatever day they run on."""

from __future__ import annotations

import datetime as dt

import jpholiday


def next_on(month: int, day: int) -> dt.date:
    """The next ``month``/``day`` after today."""
    today = dt.date.today()
    for year in (today.year, today.year + 1):
        candidate = dt.date(year, month, day)
        if candidate > today:
            return candidate
    raise AssertionError("unreachable")


def next_holiday(name_contains: str = "") -> dt.date:
    """The next national holiday (whose name contains ``name_contains``) after today, on a
    weekday: 振替休日 for one on a Sunday."""
    today = dt.date.today()
    for day, name in jpholiday.between(today + dt.timedelta(days=1),
                                       today + dt.timedelta(days=800)):
        if name_contains in name and day.weekday() < 5:
            return day
    raise AssertionError(f"no holiday {name_contains!r} within 800 days")


def future_holidays() -> list[dt.date]:
    """年末, 元日, 年始, a national holiday and a 振替休日, all after today."""
    return [next_on(12, 31), next_on(1, 1), next_on(1, 3), next_holiday("の日"),
            next_holiday("振替休日")]


def label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
