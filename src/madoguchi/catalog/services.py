"""Writes of the catalog that other apps call (the navigator's staff pages save through forms)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from madoguchi.core.textkeys import set_translation

from .models import NavigatorRule, Procedure
from .selectors import PROCEDURE_TEXT_FIELDS, procedure_text_slots


class UnknownTextKey(KeyError):
    """A translation names a text the procedure does not have."""


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
    unknown = sorted(set(changes) - set(slots))
    if unknown:
        raise UnknownTextKey(unknown)
    changed = {
        key
        for key, texts in changes.items()
        for language, text in texts.items()
        if set_translation(slots[key], language, text)
    }
    fields = sorted({key.split(".", 1)[0] for key in changed} & set(PROCEDURE_TEXT_FIELDS))
    if fields:
        locked.save(update_fields=[*fields, "search_text"])
    for rule in rules:
        if any(key.startswith(f"rules.{rule.pk}.") for key in changed):
            rule.save(update_fields=["why", "deadline_basis", "updated_at"])
    procedure.refresh_from_db()
    return changed
