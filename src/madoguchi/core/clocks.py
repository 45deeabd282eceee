"""Clocks: periodic tasks that re-enqueue themselves, started by ``manage.py serve``.

An app with a periodic task registers, in its ``ready()``, a function that enqueues the first
run unless one is already waiting (and returns whether it queued one). ``serve`` starts every
enabled clock before it starts the task worker, so core never imports the apps that own them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

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
