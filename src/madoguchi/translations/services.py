"""Writes of the translation workflow: import a workbook (all or nothing, with a report), and
the lower-level :func:`apply_translations` that the import and the demo loader share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core import languages
from madoguchi.core.models import User
from madoguchi.core.textkeys import TextSlot, set_translation

from . import workbook
from .models import SourceRecord
from .sources import Target, UnknownKeys


@dataclass
class LanguageCounts:
    applied: int = 0
    unchanged: int = 0
    missing: int = 0
    stale: int = 0


@dataclass
class Report:
    """What an import did (or, with ``problems``, why it changed nothing)."""

    problems: list[str] = field(default_factory=list)
    counts: dict[str, LanguageCounts] = field(default_factory=dict)
    stale_keys: list[str] = field(default_factory=list)  # the Japanese changed since export
    missing_keys: dict[str, list[str]] = field(default_factory=dict)  # language → keys
    texts: int = 0

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    @property
    def applied(self) -> int:
        return sum(c.applied for c in self.counts.values())


@dataclass(frozen=True)
class Translation:
    """One translation to write: of the text ``key`` into ``language``, made from the Japanese
    whose hash is ``source_hash``."""

    key: str
    language: str
    text: str
    source_hash: str


def apply_translations(
    target: Target, translations: list[Translation], *, actor: User | None
) -> set[tuple[str, str]]:
    """Write ``translations`` into the target (through its owning app) and remember what each
    was translated from, in one transaction; returns the (key, language) pairs that changed.
    Checks are the caller's: this writes what it is given (never Japanese)."""
    if any(t.language not in languages.TRANSLATED_LANGUAGES for t in translations):
        raise ValueError("only translations can be applied, never the Japanese source")
    changes: dict[str, dict[str, str]] = {}
    for item in translations:
        changes.setdefault(item.key, {})[item.language] = item.text
    with transaction.atomic():
        changed_keys = target.apply(changes, actor=actor) if changes else set()
        _remember(translations, actor)
    return {
        (t.key, t.language)
        for t in translations
        if t.key in changed_keys and changes[t.key].get(t.language) == t.text
    }


def _remember(translations: list[Translation], actor: User | None) -> None:
    """Record what each translation was made from (one query to read, two to write)."""
    now = timezone.now()
    wanted = {(t.key, t.language): t.source_hash for t in translations}
    existing = {
        (r.key, r.language): r
        for r in SourceRecord.objects.filter(
            key__in={key for key, _code in wanted}, language__in={c for _key, c in wanted}
        )
    }
    changed, new = [], []
    for (key, code), digest in wanted.items():
        record = existing.get((key, code))
        if record is None:
            new.append(
                SourceRecord(
                    key=key, language=code, source_hash=digest, imported_at=now, imported_by=actor
                )
            )
        else:
            record.source_hash, record.imported_at, record.imported_by = digest, now, actor
            changed.append(record)
    SourceRecord.objects.bulk_create(new, batch_size=500)
    SourceRecord.objects.bulk_update(
        changed, ["source_hash", "imported_at", "imported_by"], batch_size=500
    )


def import_workbook(target: Target, upload: UploadedFile[bytes], *, actor: User | None) -> Report:
    """Import an uploaded translation workbook into ``target``: refused with every reason and
    nothing changed when anything in it is wrong; else applied, with what was applied,
    unchanged, missing (empty) and stale (translated from Japanese that changed since)."""
    current = target.texts()
    sources = {key: texts.get(languages.BASE_LANGUAGE, "") for key, texts in current.items()}
    parsed = workbook.parse_workbook(upload.name or "", upload, upload.size, current)
    if parsed.problems:
        return Report(problems=parsed.problems)
    report = Report(
        counts={code: LanguageCounts() for code in parsed.languages}, texts=len(parsed.rows)
    )
    translations: list[Translation] = []
    for row in parsed.rows:
        stale = row.source_hash != workbook.source_hash(sources[row.key])
        if stale:
            report.stale_keys.append(row.key)
        for code, text in row.texts.items():
            counts = report.counts[code]
            if not text:
                counts.missing += 1
                report.missing_keys.setdefault(code, []).append(row.key)
                continue
            if current[row.key].get(code) == text:
                counts.unchanged += 1
            else:
                counts.applied += 1
            counts.stale += stale
            translations.append(Translation(row.key, code, text, row.source_hash))
    try:
        apply_translations(target, translations, actor=actor)
    except UnknownKeys as exc:  # the content changed between reading and writing
        return Report(
            problems=[
                _(
                    "The content changed while the file was imported (%(keys)s). "
                    "Export the workbook again."
                )
                % {"keys": "、".join(map(str, exc.args[0]))[:200]}
            ]
        )
    return report


def matching(
    texts: Mapping[str, Mapping[str, str]], translations: Mapping[str, Mapping[str, str]]
) -> list[Translation]:
    """The translations (language → {Japanese: translation}) for ``texts`` (key → text
    object) whose Japanese they know, where the text lacks that translation. A translation that
    fails the checks of an import (markup, placeholders, length) is left out."""
    items: list[Translation] = []
    for key, texts_of_key in texts.items():
        japanese = texts_of_key.get(languages.BASE_LANGUAGE, "")
        for code, table in translations.items():
            if code not in languages.TRANSLATED_LANGUAGES:
                continue
            text = table.get(japanese)
            if (
                not isinstance(text, str)
                or not text.strip()
                or texts_of_key.get(code) == text
                or workbook.check_translation(japanese, text)
            ):
                continue
            items.append(Translation(key, code, text, workbook.source_hash(japanese)))
    return items


def fill_slots(slots: Mapping[str, TextSlot], translations: Mapping[str, Mapping[str, str]]) -> int:
    """Put :func:`matching` translations into text objects in place (the caller saves them);
    returns how many were written."""
    items = matching(slots, translations)
    for item in items:
        set_translation(slots[item.key], item.language, item.text)
    return len(items)


def fill_by_japanese(
    target: Target, translations: Mapping[str, Mapping[str, str]], *, actor: User | None = None
) -> int:
    """Give every text of ``target`` the :func:`matching` translations, through the same write
    as an import (:func:`apply_translations`). Returns the number written. The demo ships its
    content translated with it."""
    items = matching(target.texts(), translations)
    return len(apply_translations(target, items, actor=actor)) if items else 0
