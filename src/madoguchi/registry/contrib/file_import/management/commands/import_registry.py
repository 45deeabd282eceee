"""``manage.py import_registry FILE [--mapping JSON] [--dry-run] [--partial]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.registry.contrib.file_import.importer import import_file
from madoguchi.registry.contrib.file_import.reader import Refused, parse_mapping


class Progress:
    """A one-line text progress bar on the command's stderr."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.shown = ("", -1)

    def __call__(self, phase: str, done: int, size: int) -> None:
        percent = 100 * done // size if size else 100
        if (phase, percent) == self.shown:
            return
        self.shown = (phase, percent)
        bar = "#" * (percent // 5)
        self.stream.write(f"\r{phase:8} [{bar:<20}] {percent:3d}%",
                          ending="\n" if percent == 100 else "")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import the CSV extract of the resident registry (住民記録), idempotently."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", default="",
                            help="JSON {column: header in the file} or a .json file")
        parser.add_argument("--dry-run", action="store_true",
                            help="check and count the changes, write nothing")
        parser.add_argument("--partial", action="store_true",
                            help="a partial extract: people it does not list are kept")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            mapping = parse_mapping(options["mapping"]) if options["mapping"] else None
        except (ValueError, OSError) as exc:
            raise CommandError(f"bad --mapping: {exc}") from exc
        progress = None if options["no_progress"] else Progress(self.stderr)
        try:
            outcome = import_file(path, mapping=mapping, dry_run=options["dry_run"],
                                  full=not options["partial"], progress=progress)
        except Refused as exc:
            report = exc.report
            for problem in report.problems:
                self.stderr.write(str(problem))
            if report.problem_count > len(report.problems):
                self.stderr.write(f"... and {report.problem_count - len(report.problems)} more")
            raise CommandError(f"{path.name}: {report.problem_count} problem(s), "
                               f"nothing imported") from exc
        prefix = "dry run, nothing written: " if outcome.dry_run else ""
        self.stdout.write(prefix + ", ".join(f"{k}: {v}" for k, v in outcome.counts.items())
                          + f" ({outcome.report.encoding})")
