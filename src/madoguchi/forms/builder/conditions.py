"""Conditions in the builder: which fields a condition may depend on, reading the condition's
inputs back, and a condition in words (「続柄」が「父」のとき)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized
from madoguchi.core.jsonlogic import PHRASES, Condition
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp import width as jp_width
from madoguchi.jp.errors import JPValueError

from .settings import clean_text

PHRASE_LABELS = {
    "is": gettext_lazy("is"),
    "is_not": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "before": gettext_lazy("is before"),
}

def condition_targets(definition: Mapping[str, Any], *, page_key: str,
                      field_key: str | None) -> list[tuple[str, str]]:
    """Fields a condition may depend on: (key, label) of earlier pages, and for a field also
    the fields above it on its own page. Two fields with the same label are told apart by
    their page (「選んでください（2ページ目）」), so the clerk never has to read a key."""
    fields: list[tuple[int, dict[str, Any]]] = []
    for number, page in enumerate(definition.get("pages", []), start=1):
        same_page = page.get("key") == page_key
        if same_page and field_key is None:
            break
        for field in page.get("fields", []):
            if field.get("key") == field_key:
                return _named(fields)
            if field.get("type") not in ("guidance", "group", "file"):
                fields.append((number, field))
        if same_page:
            break
    return _named(fields)


def _named(fields: list[tuple[int, dict[str, Any]]]) -> list[tuple[str, str]]:
    labels = [localized(field.get("label")) for _number, field in fields]
    named = []
    for (number, field), label in zip(fields, labels, strict=True):
        if not label:
            label = _("(a field without a label)")
        elif labels.count(label) > 1:
            label = _("%(label)s (page %(number)d)") % {"label": label, "number": number}
        named.append((field["key"], label))
    return named


def condition_choices(definition: Mapping[str, Any],
                      targets: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """For each target: its key, label, kind of value (choice, consent, date, number or text)
    and, for a field with options, those options as (value, label) to choose from."""
    by_key = {f.get("key"): f for p in definition.get("pages", []) for f in p.get("fields", [])}
    choices = []
    for key, label in targets:
        field = by_key.get(key, {})
        kind = field.get("type")
        options = [(str(o.get("value")), localized(o.get("label")) or str(o.get("value")))
                   for o in field.get("options", []) if isinstance(o, Mapping)]
        choices.append({
            "key": key, "label": label, "options": options if kind == "choice" else [],
            "kind": kind if kind in ("choice", "consent", "date", "number") else "text",
        })
    return choices


def read_condition(definition: Mapping[str, Any], post: Mapping[str, Any], prefix: str,
                   targets: list[tuple[str, str]]) -> tuple[Condition | None, list[str]]:
    """The condition from inputs ``<prefix>_field``, ``_phrase`` and ``_option`` (one of the
    options of a choice, as ``<field key>:<option value>``) or ``_value`` (typed: a date in 和暦,
    a number, a text, or an option's label); none when no field is chosen."""
    field_key = clean_text(post.get(f"{prefix}_field"), 60)
    if not field_key:
        return None, []
    if field_key not in {k for k, _label in targets}:
        return None, [_("Choose the field the condition depends on from the list.")]
    phrase = post.get(f"{prefix}_phrase")
    if phrase not in PHRASES:
        return None, [_("Choose how the condition compares (is, is not, contains, is before).")]
    value: Any = clean_text(post.get(f"{prefix}_value"), 200)
    target = next(f for p in definition.get("pages", []) for f in p.get("fields", [])
                  if f.get("key") == field_key)
    kind = target.get("type")
    if kind == "choice":
        chosen = clean_text(post.get(f"{prefix}_option"), 200)
        option_key, _sep, option_value = chosen.partition(":")
        if chosen and option_key == field_key:
            value = option_value
        for option in target.get("options", []):
            names = {str(option.get("value"))} | {
                str(v) for v in (option.get("label") or {}).values()
            }
            if value in names:
                value = option.get("value")
                break
        else:
            return None, [_("As the value, choose one of the options of “%(label)s”.")
                          % {"label": localized(target.get("label"))}]
    elif kind == "consent":
        value = True
    elif kind == "date":
        try:
            value = jp_wareki.parse_date(value).isoformat()
        except JPValueError:
            return None, [_("Write the date of the condition like 2010-04-02 or 平成22年4月2日.")]
    elif kind == "number":
        try:
            value = int(jp_width.to_ascii(value).replace(",", ""))
        except ValueError:
            return None, [_("Write the number of the condition in digits.")]
    if value in ("", None) and phrase != "is_not":
        return None, [_("Write the value the condition compares with.")]
    return Condition(field_key, phrase, value), []


def condition_text(rule: Any, definition: Mapping[str, Any]) -> str:
    """A condition in words, e.g. 「続柄」が「父」のとき."""
    condition = Condition.from_logic(rule)
    if condition is None:
        return _("(a condition written in JSON Logic)")
    target = next((f for p in definition.get("pages", []) for f in p.get("fields", [])
                   if f.get("key") == condition.field), None)
    if target is None:
        return _("when the deleted field “%(key)s” …") % {"key": condition.field}
    value = condition.value
    for option in target.get("options", []):
        if str(option.get("value")) == str(value):
            value = localized(option.get("label"))
    if target.get("type") == "date" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = display_date(dt.date.fromisoformat(value))
    templates = {
        "is": _("when “%(field)s” is “%(value)s”"),
        "is_not": _("when “%(field)s” is not “%(value)s”"),
        "contains": _("when “%(field)s” contains “%(value)s”"),
        "before": _("when “%(field)s” is before “%(value)s”"),
    }
    return templates[condition.phrase] % {"field": localized(target.get("label")), "value": value}
