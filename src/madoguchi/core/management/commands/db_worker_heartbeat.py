"""``manage.py db_worker_heartbeat``: django-tasks-db's ``db_worker`` that also beats a heartbeat.

Same options as ``db_worker``. While it runs, a thread updates this worker's row in
``core.WorkerHeartbeat`` every 15 seconds, which ``/readyz`` reads: with several workers (on one
or many machines) each has its own row, and the installation is ready while any one beats.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from madoguchi.core.health import Heartbeat


class Command(DbWorkerCommand):
    help = "Run the database task worker (db_worker) with a heartbeat for /readyz."

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
