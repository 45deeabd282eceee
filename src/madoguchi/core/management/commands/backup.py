"""``manage.py backup DEST``: the database and every stored file, with a manifest of checksums.

Safe while the site runs (SQLite's online backup API, or ``pg_dump``). Keys are never included;
see docs/backup.md.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the stored files into a new directory DEST."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", type=Path, help="a new (or empty) directory")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            summary = backup(options["destination"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"backup of {summary.vendor}: {summary.files} files, {summary.bytes} bytes, "
            f"{time.monotonic() - started:.2f} s -> {summary.path}"
        )
