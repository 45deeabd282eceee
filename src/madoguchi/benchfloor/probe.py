"""Counting the database queries of the calling display's requests (bench mode only).

``bench/counter.py`` polls ``/tickets/display/`` (the page, as a display without JavaScript
does) and ``/tickets/display/board/`` (the fragment its script fetches) and reports queries
per poll. The count is taken here, in the server: from ``request_started`` to
``request_finished`` of a display request, every statement run on that thread's connection
is counted (a Django execute wrapper), so a snapshot rebuild, a session or a user look-up
all show. The totals are per process; ``GET /bench/display-queries/`` answers those of the
worker that serves it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection

DISPLAY_PATHS = frozenset({"/tickets/display/", "/tickets/display/board/"})

_lock = threading.Lock()
_totals = {"polls": 0, "queries": 0}
_local = threading.local()


class _Counter:
    """An execute wrapper that counts the statements it lets through."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                 context: dict[str, Any]) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


def _started(sender: object, environ: dict[str, Any] | None = None, **kwargs: object) -> None:
    if not settings.BENCH or not environ or environ.get("PATH_INFO") not in DISPLAY_PATHS:
        return
    counter = _Counter()
    connection.execute_wrappers.append(counter)
    _local.counter = counter


def _finished(sender: object, **kwargs: object) -> None:
    counter = getattr(_local, "counter", None)
    if counter is None:
        return
    _local.counter = None
    if counter in connection.execute_wrappers:
        connection.execute_wrappers.remove(counter)
    with _lock:
        _totals["polls"] += 1
        _totals["queries"] += counter.queries


def totals() -> dict[str, int]:
    """This process's display requests and the queries they ran, with its pid."""
    with _lock:
        return {"pid": os.getpid(), **_totals}


def connect() -> None:
    """Start counting (called once from the app's ``ready``)."""
    request_started.connect(_started, dispatch_uid="benchfloor-display-started")
    request_finished.connect(_finished, dispatch_uid="benchfloor-display-finished")
