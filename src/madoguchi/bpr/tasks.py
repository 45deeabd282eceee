"""Background work of the effect dashboard: the daily roll-up, on the task worker."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from madoguchi.core import clocks

from . import rollup_services

ROLLUP_TIME = dt.time(0, 30)  # Tokyo time: the day before is over, the counters are closed


def next_run(now: dt.datetime) -> dt.datetime:
    """The next ``ROLLUP_TIME`` in Tokyo after ``now``."""
    local = timezone.localtime(now)
    candidate = dt.datetime.combine(local.date(), ROLLUP_TIME, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


@task()
def roll_up_day(day: str) -> int:
    """Roll up one day (``YYYY-MM-DD``), replacing its rows; returns the number of day rows."""
    return rollup_services.roll_up_day(dt.date.fromisoformat(day)).rows


@task()
def rollup_clock() -> None:
    """Roll up yesterday (Tokyo), then schedule the next run for tomorrow at 00:30.

    Started by :func:`start_clock` (``manage.py serve``); the database task worker keeps it going.
    """
    try:
        rollup_services.roll_up_day(timezone.localdate() - dt.timedelta(days=1))
    finally:  # a failing run must not stop the clock
        clocks.schedule_next(rollup_clock, next_run(timezone.now()))


def start_clock() -> bool:
    """Enqueue :func:`rollup_clock` unless a run is already waiting. Returns True if queued."""
    return clocks.start_unless_waiting(rollup_clock)
