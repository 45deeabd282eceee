"""Clocks: periodic tasks that re-enqueue themselves, started by ``manage.py serve``.

An app with a periodic task registers, in its ``ready()``, a function that enqueues the first
run unless one is already waiting (and returns whether it queued one). ``serve`` starts every
enabled clock before it starts the task worker, so core never imports the apps that own them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django_tasks.base import Task

from .plugins import Registry

# Key of the PostgreSQL advisory lock that lets one process at a time start the clocks.
ADVISORY_LOCK_KEY = 0x6D61646F  # "mado"

Clock = Callable[[], bool]

clocks: Registry[Clock] = Registry("clocks")


def start_clocks() -> dict[str, bool]:
    """Start every enabled clock; returns, per clock id, whether a run was queued.

    Several servers or workers may start at once: on PostgreSQL a transaction-level advisory
    lock makes each "queue unless one is waiting" check and its enqueue happen one process at a
    time, so a clock is never queued twice (SQLite has one writer at a time anyway).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        return {clock_id: start() for clock_id, start in clocks.enabled()}


def start_unless_waiting(clock_task: Task[[], Any]) -> bool:
    """Enqueue the first run of ``clock_task`` unless a run is already waiting or running.

    Returns True if queued. Only with the database task backend: another backend has its own
    scheduler, and a backend that cannot defer cannot keep a clock going.
    """
    if not clock_task.get_backend().supports_defer:
        return False
    try:
        # Optional dependency: the database task backend (its model needs its app installed).
        from django_tasks_db.models import DBTaskResult
    except (ImportError, RuntimeError):
        return False
    if DBTaskResult.objects.filter(
        task_path=clock_task.module_path, status__in=["READY", "RUNNING"]
    ).exists():
        return False
    clock_task.enqueue()
    return True


def schedule_next(clock_task: Task[[], Any], run_after: dt.datetime) -> None:
    """Queue the next run of ``clock_task`` (called at the end of each run, even a failed one)."""
    if clock_task.get_backend().supports_defer:
        clock_task.using(run_after=run_after).enqueue()
