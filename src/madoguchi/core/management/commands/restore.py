"""``manage.py restore SRC``: restore a backup into an empty installation.

Every checksum is verified before anything is written. The database must have no tables (a
new database, never migrated) and the storages no files: restoring over live data is refused
outright, without a ``--force``, because mixing two states of the records cannot be undone;
an operator who means to replace an installation drops and recreates its database first.
Set the keys (docs/backup.md) before starting the site on the restored data.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = "Verify a backup, then restore it into an empty database and empty storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="a directory written by manage.py backup")
        parser.add_argument("--verify-only", action="store_true",
                            help="check every checksum and stop; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            if options["verify_only"]:
                manifest = verify(options["source"])
                self.stdout.write(f"backup verified: {len(manifest['files'])} files, "
                                  f"made {manifest['created_at']}")
                return
            summary = restore(options["source"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored {summary.vendor}: {summary.files} files, {summary.bytes} bytes, "
            f"{time.monotonic() - started:.2f} s. Run 'manage.py migrate' if this version is "
            "newer than the backup's."
        )
