"""``manage.py run_retention``: the daily deletion at once (after a restore, or from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.retention.services import run


class Command(BaseCommand):
    help = "Delete what is past its retention period now (docs/retention.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = run()
        self.stdout.write(
            f"deleted {report.applications} applications ({report.files} files), "
            f"{report.drafts} drafts, {report.bookings} bookings, "
            f"{report.audit_events} audit events; {report.held} under a legal hold")
