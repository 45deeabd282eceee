"""Tasks left running by a task worker that died (SIGKILL, power loss) are run again.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: if
the worker is killed mid-run, the task stays RUNNING for ever. Every worker
(``manage.py db_worker_heartbeat``) beats in ``core.WorkerHeartbeat`` under the same worker id
that the task result records in ``worker_ids``; :func:`recover_stale_tasks`, called by each
worker's heartbeat thread about once a minute, puts a RUNNING task back to READY when it
started more than ``TASK_RECOVERY_AFTER_SECONDS`` ago and the worker that claimed it last has
not beaten for that long. Another worker then runs it once more. A task whose workers died
``TASK_RECOVERY_MAX_ATTEMPTS`` times is marked FAILED instead (it may be what kills them).

Each recovery is one conditional UPDATE (still RUNNING, same ``started_at``), so when several
workers recover at once only one of them wins, and a task claimed again meanwhile is not
touched. Tasks must be idempotent: notices use ``channels.services.notify(..., once=key)``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .metrics import TASKS_RECOVERED
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

WORKER_LOST = "madoguchi.core.task_recovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task died (recorded as the exception of a task given up on)."""


@dataclass(frozen=True)
class Recovered:
    task_id: str
    task_path: str
    worker_id: str
    attempts: int
    requeued: bool


def recovery_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TASK_RECOVERY_AFTER_SECONDS)


def recover_stale_tasks(now: dt.datetime | None = None) -> list[Recovered]:
    """Put the tasks of dead workers back in the queue (or fail them after too many deaths)."""
    try:
        # Optional dependency: only the database task backend leaves tasks RUNNING.
        from django_tasks_db.models import DBTaskResult
    except (ImportError, RuntimeError):
        return []
    now = now or timezone.now()
    cutoff = now - recovery_after()
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    stale = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).only(
        "id", "task_path", "worker_ids", "started_at"
    )
    recovered: list[Recovered] = []
    for result in stale:
        worker_id = result.worker_ids[-1] if result.worker_ids else ""
        if worker_id in alive:
            continue  # a long task of a live worker
        attempts = len(result.worker_ids)
        still_running = DBTaskResult.objects.filter(
            pk=result.pk, status="RUNNING", started_at=result.started_at
        )
        requeued = attempts < settings.TASK_RECOVERY_MAX_ATTEMPTS
        if requeued:
            updated = still_running.update(status="READY")
        else:
            updated = still_running.update(
                status="FAILED",
                finished_at=now,
                return_value=None,
                exception_class_path=WORKER_LOST,
                traceback=f"{WORKER_LOST}: the worker running this task died {attempts} times",
            )
        if not updated:
            continue  # another worker recovered it, or it finished after all
        item = Recovered(str(result.pk), result.task_path, worker_id, attempts, requeued)
        recovered.append(item)
        TASKS_RECOVERED.labels(
            task=result.task_path[:200], outcome="requeued" if requeued else "failed"
        ).inc()
        logger.warning(
            "task %s (%s) was left running by worker %s, which stopped beating; %s",
            item.task_id,
            item.task_path,
            worker_id or "?",
            f"queued again (run {attempts + 1})" if requeued else f"failed after {attempts} runs",
        )
    return recovered
