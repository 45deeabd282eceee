"""The daily retention run, kept going by the database task worker like the other clocks."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import TaskContext, task

from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify
from madoguchi.core import clocks

from . import services

INTERVAL = dt.timedelta(days=1)


@task()
def retention_clock() -> None:
    """Delete what is past its retention period, then schedule the next run (daily)."""
    try:
        services.run()
    finally:  # a failing run must not stop the clock
        clocks.schedule_next(retention_clock, timezone.now() + INTERVAL)


def start_clock() -> bool:
    """Enqueue :func:`retention_clock` unless a run is already waiting. Returns True if queued."""
    return clocks.start_unless_waiting(retention_clock)


@task(takes_context=True)
def send_account_deleted(context: TaskContext, email: str, language: str, withdrawn: int,
                         kept: int) -> None:
    """Confirm to the old address that the account was deleted (by e-mail only: the LINE link
    and the notification settings are gone)."""
    notify(Notice(kind="account.deleted", template="retention/email/account_deleted",
                  context={"withdrawn": withdrawn, "kept": kept}),
           email=email, language=language, once=f"task:{context.task_result.id}")
