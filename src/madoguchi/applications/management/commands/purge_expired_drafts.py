"""Delete drafts past their expiry (run daily, e.g. from cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.applications import drafts


class Command(BaseCommand):
    help = "Delete unfinished applications (drafts) whose time to be resumed has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = drafts.purge_expired()
        self.stdout.write(f"deleted {deleted} expired drafts")
