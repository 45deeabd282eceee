"""Writes of the catalog that other apps call (the navigator's staff pages save through forms)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from madoguchi.core import textkeys

from .models import City, Counter, LifeEvent, NavigatorQuestion, NavigatorRule, Procedure
from .selectors import CITY_TEXT_FIELDS as CITY_FIELDS
from .selectors import COUNTER_TEXT_FIELDS as COUNTER_FIELDS
from .selectors import EVENT_TEXT_FIELDS as EVENT_FIELDS
from .selectors import PROCEDURE_TEXT_FIELDS, city_text_slots, procedure_text_slots
from .selectors import QUESTION_TEXT_FIELDS as QUESTION_FIELDS


@transaction.atomic
def apply_procedure_translations(
    procedure: Procedure, changes: Mapping[str, Mapping[str, str]]
) -> set[str]:
    """Put translations (key → {language: text}, never Japanese) into the procedure and its
    navigator rules in one transaction; returns the keys that changed. An unknown key changes
    nothing (:class:`UnknownTextKey`)."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    rules = list(NavigatorRule.objects.select_for_update().filter(procedure=locked).order_by("pk"))
    slots = procedure_text_slots(locked, rules)
    changed = textkeys.apply_translations(slots, changes)
    fields = sorted({key.split(".", 1)[0] for key in changed} & set(PROCEDURE_TEXT_FIELDS))
    if fields:
        locked.save(update_fields=[*fields, "search_text"])
    for rule in rules:
        if any(key.startswith(f"rules.{rule.pk}.") for key in changed):
            rule.save(update_fields=["why", "deadline_basis", "updated_at"])
    procedure.refresh_from_db()
    return changed


@transaction.atomic
def apply_city_translations(city: City, changes: Mapping[str, Mapping[str, str]]) -> set[str]:
    """Put translations into the texts every department shares (the city, its counters, the
    navigator's life events and questions: see ``selectors.city_text_slots``) in one
    transaction; returns the keys that changed. An unknown key changes nothing."""
    locked = City.objects.select_for_update().get(pk=city.pk)
    counters = list(Counter.objects.select_for_update().order_by("pk"))
    events = list(LifeEvent.objects.select_for_update().order_by("pk"))
    questions = list(NavigatorQuestion.objects.select_for_update().order_by("pk"))
    slots = city_text_slots(locked, counters, events, questions)
    changed = textkeys.apply_translations(slots, changes)
    touched = {key.split(".", 1)[0] for key in changed}
    if touched & set(CITY_FIELDS):
        locked.save(update_fields=list(CITY_FIELDS))
    for counter in counters:
        if any(key.startswith(f"counters.{counter.code}.") for key in changed):
            counter.save(update_fields=list(COUNTER_FIELDS))
    slugs = {event.pk: event.slug for event in events}
    for event in events:
        own = f"events.{event.slug}."
        if any(key.startswith(own) and not key.startswith(f"{own}questions.") for key in changed):
            event.save(update_fields=list(EVENT_FIELDS))
    for question in questions:
        prefix = f"events.{slugs.get(question.event_id)}.questions.{question.key}."
        if any(key.startswith(prefix) for key in changed):
            question.save(update_fields=list(QUESTION_FIELDS))
    return changed
