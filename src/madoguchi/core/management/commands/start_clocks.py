"""``manage.py start_clocks``: queue the periodic tasks that are not queued yet.

``serve`` does this itself; with separate task workers (deploy/systemd/madoguchi-worker@.service)
each worker runs it before it starts. Running it again, from any number of hosts at once, never
queues a clock twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.core.clocks import start_clocks


class Command(BaseCommand):
    help = "Queue the periodic tasks (clocks) that are not already queued."

    def handle(self, *args: Any, **options: Any) -> None:
        for clock_id, queued in sorted(start_clocks().items()):
            state = "queued" if queued else "already queued"
            self.stdout.write(f"{clock_id}: {state}")
