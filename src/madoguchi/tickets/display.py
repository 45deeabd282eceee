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
_rebuilding = threading.Lock()  # held by the one thread reading a new board
_cached: list[tuple[float, selectors.Board]] = []


def forget() -> None:
    """Drop this process's copy (after a write here, and in tests)."""
    with _lock:
        _cached.clear()


def snapshot() -> selectors.Board:
    """The board, read from the database at most every SNAPSHOT_SECONDS per process.

    One thread rebuilds an expired board; meanwhile the others keep serving the copy they have
    (or, with none, wait for the new one), so a crowd of polls costs one query, not one each.
    """
    ttl = float(getattr(settings, "TICKETS_SNAPSHOT_SECONDS", SNAPSHOT_SECONDS))
    with _lock:
        cached = _cached[0] if _cached else None
    if cached is not None and time.monotonic() - cached[0] < ttl:
        return cached[1]
    if cached is not None and not _rebuilding.acquire(blocking=False):
        return cached[1]
    if cached is None:
        _rebuilding.acquire()
    try:
        with _lock:
            if _cached and time.monotonic() - _cached[0][0] < ttl:
                return _cached[0][1]
        now = time.monotonic()
        fresh = selectors.board()
        with _lock:
            _cached[:] = [(now, fresh)]
        return fresh
    finally:
        _rebuilding.release()
