"""The per-process snapshot of the queues that the display, the online list and the ticket
pages read: rebuilt from the database at most every ``TICKETS_SNAPSHOT_SECONDS`` (default 3),
so a monitor or a phone polling every few seconds costs no query per poll (the idea of the
reservations waiting room)."""

from __future__ import annotations

import threading
import time

from django.conf import settings

from . import selectors

SNAPSHOT_SECONDS = 3

_lock = threading.Lock()
_cached: list[tuple[float, selectors.Board]] = []


def forget() -> None:
    """Drop this process's copy (after a write here, and in tests)."""
    with _lock:
        _cached.clear()


def snapshot() -> selectors.Board:
    """The board, read from the database at most every SNAPSHOT_SECONDS per process."""
    ttl = float(getattr(settings, "TICKETS_SNAPSHOT_SECONDS", SNAPSHOT_SECONDS))
    now = time.monotonic()
    with _lock:
        if _cached and now - _cached[0][0] < ttl:
            return _cached[0][1]
    fresh = selectors.board()
    with _lock:
        _cached[:] = [(now, fresh)]
    return fresh
