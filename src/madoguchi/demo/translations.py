"""The demo city's content in every resident language (called by ``load_demo_city``, idempotent).

``data/translations/<code>.json`` maps each Japanese text of the demo content to its
translation, one file per language (ja-easy, zh-hans, ko, vi, pt-br; English is in the content
itself). After the content is loaded, every text whose Japanese matches gets the translation:
procedures, the FAQ, the city with its counters and the navigator's events and questions
through the translation workflow's own write (the one an import uses); form definitions before
the demo publishes them, and the other content (departments, reservations, tickets, fee
exemptions) through the same lower-level fill. A language whose file is absent is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import models, transaction

from madoguchi.catalog.models import City
from madoguchi.core import languages
from madoguchi.core.textkeys import TextSlot, text_slots
from madoguchi.forms.selectors import form_text_slots
from madoguchi.payments.models import FeeExemption
from madoguchi.reservations.models import ClosingDay, Room, Service, Venue
from madoguchi.staff.models import Department
from madoguchi.tickets.models import Counter as TicketCounter
from madoguchi.tickets.models import Purpose
from madoguchi.translations import services as translation_services
from madoguchi.translations import sources

DATA_DIR = Path(__file__).resolve().parent / "data"
TRANSLATIONS_DIR = DATA_DIR / "translations"
FALLBACK_FILE = TRANSLATIONS_DIR / "fallback.json"
# The languages the demo ships translations for (English is written in the content).
DEMO_LANGUAGES = tuple(c for c in languages.TRANSLATED_LANGUAGES if c != "en")

# Content outside what the translation workflow covers: model → its text fields.
OTHER_CONTENT: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Department, ("name",)),
    (Venue, ("name", "address", "access")),
    (Room, ("name",)),
    (Service, ("name", "description")),
    (ClosingDay, ("reason",)),
    (Purpose, ("name",)),
    (TicketCounter, ("name",)),
    (FeeExemption, ("label",)),
)


def load_tables(directory: Path | None = None) -> dict[str, dict[str, str]]:
    """language → {Japanese: translation}, from the files present in ``directory``."""
    directory = directory or TRANSLATIONS_DIR
    tables: dict[str, dict[str, str]] = {}
    for code in DEMO_LANGUAGES:
        path = directory / f"{code}.json"
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path.name} must be a JSON object of Japanese → translation")
        tables[code] = {str(k): v for k, v in data.items() if isinstance(v, str) and v.strip()}
    return tables


def translate_definition(
    definition: dict[str, Any], tables: dict[str, dict[str, str]] | None = None
) -> int:
    """Put the demo translations into a form definition (in place) before it is published."""
    tables = load_tables() if tables is None else tables
    return translation_services.fill_slots(form_text_slots(definition), tables) if tables else 0


def _fill_rows(
    model: type[models.Model], fields: Iterable[str], tables: dict[str, dict[str, str]]
) -> int:
    written = 0
    names = list(fields)
    for row in model.objects.all():  # type: ignore[attr-defined]
        slots: dict[str, TextSlot] = {}
        for name in names:
            slots.update(text_slots(getattr(row, name), name))
        count = translation_services.fill_slots(slots, tables)
        if count:
            row.save(update_fields=names)
            written += count
    return written


@transaction.atomic
def load_demo(directory: Path | None = None) -> dict[str, int]:
    """Translate the loaded demo content; returns how many translations were written."""
    tables = load_tables(directory)
    if not tables:
        return {"translations": 0}
    written = 0
    for target in sources.all_procedure_targets():
        written += translation_services.fill_by_japanese(target, tables)
    written += translation_services.fill_by_japanese(sources.faq_target(None), tables)
    for city in City.objects.all():
        written += translation_services.fill_by_japanese(sources.city_target(city), tables)
    for model, fields in OTHER_CONTENT:
        written += _fill_rows(model, fields, tables)
    return {"translations": written}


def japanese_texts_of(value: Any) -> Iterable[str]:
    """Every Japanese text of the ``{"ja": ...}`` objects inside a JSON value."""
    if isinstance(value, dict):
        text = value.get(languages.BASE_LANGUAGE)
        if isinstance(text, str) and text.strip():
            yield text
        for child in value.values():
            yield from japanese_texts_of(child)
    elif isinstance(value, list):
        for child in value:
            yield from japanese_texts_of(child)
