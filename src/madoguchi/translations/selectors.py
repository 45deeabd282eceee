"""Reads of the translation workflow: how much of each target is translated, per language."""

from __future__ import annotations

from dataclasses import dataclass, field

from madoguchi.core import languages
from madoguchi.staff.models import StaffMember

from .models import SourceRecord
from .sources import Target, targets_for
from .workbook import source_hash


@dataclass
class Coverage:
    """One target's texts in one language: how many, translated, missing, stale."""

    target: Target
    total: int = 0
    translated: int = 0
    stale: int = 0
    missing_keys: list[str] = field(default_factory=list)
    stale_keys: list[str] = field(default_factory=list)
    japanese: dict[str, str] = field(default_factory=dict)  # key → the Japanese source

    @property
    def missing_items(self) -> list[tuple[str, str]]:
        """(key, Japanese) of each untranslated text, for the page."""
        return [(key, self.japanese.get(key, "")) for key in self.missing_keys]

    @property
    def stale_items(self) -> list[tuple[str, str]]:
        return [(key, self.japanese.get(key, "")) for key in self.stale_keys]

    @property
    def missing(self) -> int:
        return self.total - self.translated

    @property
    def percent(self) -> int:
        return round(100 * self.translated / self.total) if self.total else 100


def coverage(
    target: Target, language: str, records: dict[tuple[str, str], str] | None = None
) -> Coverage:
    """How far ``target`` is translated into ``language``. A translation is stale when the
    Japanese changed after the translation was imported (only imported ones are tracked)."""
    texts = target.texts()
    if records is None:
        records = dict(
            ((key, code), digest)
            for key, code, digest in SourceRecord.objects.filter(
                key__in=list(texts), language=language
            ).values_list("key", "language", "source_hash")
        )
    found = Coverage(target, total=len(texts))
    for key, value in texts.items():
        found.japanese[key] = value.get(languages.BASE_LANGUAGE, "")
        if not value.get(language):
            found.missing_keys.append(key)
            continue
        found.translated += 1
        recorded = records.get((key, language))
        if recorded is not None and recorded != source_hash(value.get(languages.BASE_LANGUAGE, "")):
            found.stale += 1
            found.stale_keys.append(key)
    return found


def coverage_for(staff: StaffMember, language: str) -> list[Coverage]:
    """Every target the staff member sees, with its coverage in ``language``."""
    records = dict(
        ((key, code), digest)
        for key, code, digest in SourceRecord.objects.filter(language=language).values_list(
            "key", "language", "source_hash"
        )
    )
    return [coverage(target, language, records) for target in targets_for(staff)]


def summary_for(staff: StaffMember) -> list[dict[str, object]]:
    """Per translation language: texts in all, untranslated and stale, over what staff see."""
    targets = targets_for(staff)
    records = {
        (key, code): digest
        for key, code, digest in SourceRecord.objects.values_list("key", "language", "source_hash")
    }
    texts = [target.texts() for target in targets]
    rows = []
    for code in languages.TRANSLATED_LANGUAGES:
        total = missing = stale = 0
        for values in texts:
            for key, value in values.items():
                total += 1
                if not value.get(code):
                    missing += 1
                elif (recorded := records.get((key, code))) is not None and recorded != source_hash(
                    value.get(languages.BASE_LANGUAGE, "")
                ):
                    stale += 1
        rows.append(
            {
                "language": languages.BY_CODE[code],
                "total": total,
                "missing": missing,
                "stale": stale,
            }
        )
    return rows
