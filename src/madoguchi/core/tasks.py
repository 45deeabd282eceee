"""Enqueueing background tasks so that they are never lost nor run for rolled-back work."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks.base import Task

TRANSACTIONAL_BACKENDS = ("django_tasks_db.backend.DatabaseBackend",)


def _backend_is_transactional(task: Task[Any, Any]) -> bool:
    cls = type(task.get_backend())
    return f"{cls.__module__}.{cls.__qualname__}" in TRANSACTIONAL_BACKENDS


def enqueue_with_transaction(task: Task[Any, Any], **kwargs: Any) -> None:
    """Enqueue ``task`` as part of the current transaction.

    With the database backend the task row is written in the same transaction as the data it
    is about (one commit, nothing lost); with any other backend it is enqueued after commit.
    """
    if _backend_is_transactional(task):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))
