"""Clocks: periodic tasks that re-enqueue themselves, started by ``manage.py serve``.

An app with a periodic task registers, in its ``ready()``, a function that enqueues the first
run unless one is already waiting (and returns whether it queued one). ``serve`` starts every
enabled clock before it starts the task worker, so core never imports the apps that own them.
"""

from __future__ import annotations

from collections.abc import Callable

from .plugins import Registry

Clock = Callable[[], bool]

clocks: Registry[Clock] = Registry("clocks")


def start_clocks() -> dict[str, bool]:
    """Start every enabled clock; returns, per clock id, whether a run was queued."""
    return {clock_id: start() for clock_id, start in clocks.enabled()}
