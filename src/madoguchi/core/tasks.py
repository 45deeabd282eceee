"""Enqueueing background tasks so that they are never lost nor run for rolled-back work."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import Task

TRANSACTIONAL_BACKENDS = ("django_tasks_db.backend.DatabaseBackend",)


def _backend_is_transactional(task: Task[Any, Any]) -> bool:
    cls = type(task.get_backend())
    return f"{cls.__module__}.{cls.__qualname__}" in TRANSACTIONAL_BACKENDS


def enqueue_with_transaction(task: Task[Any, Any] | str, **kwargs: Any) -> None:
    """Enqueue ``task`` as part of the current transaction.

    ``task`` may be given by its dotted path (the name the task backend stores), so that a
    ``services`` module can enqueue a task of its own app whose module calls back into it.
    With the database backend the task row is written in the same transaction as the data it
    is about (one commit, nothing lost); with any other backend it is enqueued after commit.
    """
    resolved = import_string(task) if isinstance(task, str) else task
    if not isinstance(resolved, Task):
        raise TypeError(f"{task!r} is not a task")
    if _backend_is_transactional(resolved):
        resolved.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: resolved.enqueue(**kwargs))
