"""What the operator's probes ask: is the process alive, is the installation ready to serve.

``readiness()`` runs the checks of ``/readyz``: the database answers, the default storage takes
a file, every migration is applied, and (when tasks go through the database queue) a task worker
has beaten within ``WORKER_HEARTBEAT_MAX_AGE`` seconds. The task worker
(``manage.py db_worker_heartbeat``) beats through :class:`Heartbeat`. Check results name the
check and say ``ok`` or what failed, never anything about a person.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, close_old_connections, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0  # how often a worker beats
RECOVER_EVERY = 4  # beats between looks for tasks left running by dead workers (about 1 min)
WORKER_HEARTBEAT_MAX_AGE = 60  # seconds: an older beat does not count
STALE_HEARTBEAT = timedelta(days=1)  # rows of workers gone this long ago are deleted
DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


@dataclass
class Readiness:
    """Each check's result by name ("ok" or a short reason); ready when all are "ok"."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(result in ("ok", "not needed") for result in self.checks.values())


def _check(function: Callable[[], str]) -> str:
    try:
        return function()
    except Exception as error:  # a probe reports, it never raises
        logger.warning("readiness check %s failed: %s", function.__name__, type(error).__name__)
        return f"error: {type(error).__name__}"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_storage() -> str:
    """Write, read back and delete a small file through the default storage."""
    name = default_storage.save(f"health/readyz-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                return "error: read back differs"
    finally:
        default_storage.delete(name)
    return "ok"


_migrations_applied = False  # once all are applied, they stay so for the life of the process


def unapplied_migrations() -> int:
    """How many migrations the code has that the database has not applied."""
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def check_migrations() -> str:
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    missing = unapplied_migrations()
    if missing:
        return f"error: {missing} migrations not applied"
    _migrations_applied = True
    return "ok"


def worker_needed() -> bool:
    """Whether tasks wait in the database queue for a worker (not the immediate backend)."""
    configured = getattr(settings, "READYZ_REQUIRE_WORKER", None)
    if configured is not None:
        return bool(configured)
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend in (DATABASE_BACKEND, "django_tasks_db.backend.DatabaseBackend")


def check_worker() -> str:
    if not worker_needed():
        return "not needed"
    since = timezone.now() - timedelta(seconds=WORKER_HEARTBEAT_MAX_AGE)
    if WorkerHeartbeat.objects.filter(beat_at__gte=since).exists():
        return "ok"
    return f"error: no task worker heartbeat in {WORKER_HEARTBEAT_MAX_AGE} s"


def readiness() -> Readiness:
    """Run every check of ``/readyz`` (each one's failure is reported, not raised)."""
    result = Readiness()
    for name, function in (("database", check_database), ("storage", check_storage),
                           ("migrations", check_migrations), ("worker", check_worker)):
        result.checks[name] = _check(function)
    return result


def beat(worker_id: str, started_at: datetime | None = None) -> None:
    """Record that the worker ``worker_id`` of this process is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, hostname=socket.gethostname()[:255], pid=os.getpid(),
            started_at=started_at or now, beat_at=now)
        WorkerHeartbeat.objects.filter(beat_at__lt=now - STALE_HEARTBEAT).delete()


def forget(worker_id: str) -> None:
    """A worker that stops deletes its heartbeat."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _recover() -> None:
    from .task_recovery import recover_stale_tasks  # imports the metrics (prometheus)

    recover_stale_tasks()


class Heartbeat:
    """A daemon thread that calls ``beat(worker_id)`` now and every ``interval`` seconds until
    :meth:`stop`, which also forgets the worker. Every ``recover_every`` beats (the first one
    included) it also queues again the tasks of workers that stopped beating
    (``core.task_recovery``). A failed beat (database away) is logged and tried again at the
    next interval; the thread dies with the process."""

    def __init__(self, worker_id: str, interval: float = HEARTBEAT_SECONDS,
                 beat_function: Callable[[str], None] = beat,
                 forget_function: Callable[[str], None] = forget,
                 recover_function: Callable[[], None] = _recover,
                 recover_every: int = RECOVER_EVERY) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self._beat = beat_function
        self._forget = forget_function
        self._recover = recover_function
        self._recover_every = max(recover_every, 1)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        beats = 0
        try:
            while True:
                try:
                    close_old_connections()
                    self._beat(self.worker_id)
                except DatabaseError as error:
                    logger.warning("task worker heartbeat failed: %s", type(error).__name__)
                if beats % self._recover_every == 0:
                    try:
                        self._recover()
                    except DatabaseError as error:
                        logger.warning("task recovery failed: %s", type(error).__name__)
                beats += 1
                if self._stopped.wait(self.interval):
                    break
        finally:
            connection.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        self._thread.join(timeout)
        try:
            self._forget(self.worker_id)
        except DatabaseError as error:
            logger.warning("could not remove the worker heartbeat: %s", type(error).__name__)
