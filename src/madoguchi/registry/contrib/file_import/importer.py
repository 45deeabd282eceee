"""Importing an extract in two passes: read and validate the whole file writing nothing, then
write it in one transaction in batches. A file with any problem is refused as a whole."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from madoguchi.registry import services
from madoguchi.registry.plugins import ResidentRecord

from .reader import DEFAULT_HEADERS, Problem, Refused, Report, read

SOURCE = "file_import"
BATCH = 1000

# (phase, bytes read, file size): phase is "validate" or "write".
Progress = Callable[[str, int, int], None]


@dataclass
class Outcome:
    """What an import did (or, in a dry run, would have done)."""

    report: Report
    dry_run: bool = False
    full: bool = True
    counts: dict[str, int] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def validate(path: Path, *, mapping: dict[str, str] | None = None,
             progress: Progress | None = None) -> Report:
    """The first pass: every row read and checked, nothing written."""
    report = Report()
    step = (lambda done, size: progress("validate", done, size)) if progress else None
    for _line, _record in read(path, report, mapping=mapping, progress=step):
        pass
    return report


def import_file(path: Path | str, *, mapping: dict[str, str] | None = None,
                dry_run: bool = False, full: bool = True,
                progress: Progress | None = None) -> Outcome:
    """Import the extract at ``path`` into the registry.

    Raises :class:`Refused` (with the report) when any row or the file itself is wrong;
    then nothing was written. ``full`` (a complete extract): the active people it does not
    list are marked as left. ``dry_run`` writes nothing but reports what would change.
    Re-importing the same file changes nothing (every row counts as unchanged).
    """
    path = Path(path)
    report = validate(path, mapping=mapping, progress=progress)
    if not report.ok:
        raise Refused(report)
    outcome = Outcome(report=report, dry_run=dry_run, full=full)
    totals = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "moved_out": 0,
              "died": 0, "absent": 0}
    step = (lambda done, size: progress("write", done, size)) if progress else None
    second = Report(encoding=report.encoding)
    with services.import_cache(), transaction.atomic():
        run = services.start_run(SOURCE, file_name=path.name, sha256=_sha256(path), full=full)
        now = timezone.now()
        batch: list[tuple[int, ResidentRecord]] = []

        def flush() -> None:
            try:
                counts = services.apply_batch(run, [r for _line, r in batch], now)
            except services.DuplicateRecord as exc:
                line = [n for n, r in batch if r.record_id == exc.record_id][-1]
                column = {**DEFAULT_HEADERS, **(mapping or {})}["resident_code"]
                second.add(Problem(line, column, "appears more than once in the file"))
                raise Refused(second) from exc
            for name in ("created", "updated", "unchanged", "moved_out", "died"):
                totals[name] += getattr(counts, name)
            totals["rows"] += len(batch)
            batch.clear()

        for line, record in read(path, second, mapping=mapping, progress=step):
            batch.append((line, record))
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
        if not second.ok:  # the file changed between the passes
            raise Refused(second)
        totals["absent"] = services.finish_run(run, now)
        for name, value in totals.items():
            setattr(run, name, value)
        run.save()
        outcome.counts = totals
        if dry_run:
            transaction.set_rollback(True)
    return outcome
