"""What residents will see, in words, for the builder's editor and its publish check: the pages
and fields with their conditions and limits, and the texts that have no English yet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from madoguchi.core.i18n import localized

from ..fields import join_list
from .conditions import condition_text
from .dates import describe as describe_dates
from .palette import entries, palette_labels, type_label

# Texts a resident reads, per field (subfields of a group are checked too).
FIELD_TEXTS = ("label", "hint", "statement", "text", "unit", "item_label")
MAX_OPTIONS_SHOWN = 8


def field_label(field: Mapping[str, Any]) -> str:
    """How the builder names a field: its label, or the start of its guidance text."""
    return (localized(field.get("label"))
            or Truncator(localized(field.get("text"))).chars(40)
            or _("(a field without a label)"))


def field_details(field: Mapping[str, Any]) -> list[str]:
    """Short facts about a field beside its kind: its date limits, its options."""
    details = []
    if field.get("type") == "date":
        limits = describe_dates(field)
        if limits:
            details.append(limits)
    options = [localized(o.get("label")) for o in field.get("options", [])
               if isinstance(o, Mapping)]
    if field.get("type") == "choice" and options:
        shown = join_list(options[:MAX_OPTIONS_SHOWN])
        details.append(_("Options: %(options)s") % {
            "options": shown if len(options) <= MAX_OPTIONS_SHOWN else f"{shown}…"})
    return details


def conditions_of(field: Mapping[str, Any], definition: Mapping[str, Any]) -> list[str]:
    """A field's conditions as sentences (「「続柄」が「その他」のときだけ表示」)."""
    sentences = []
    if "show_if" in field:
        sentences.append(_("Shown only %(when)s") % {
            "when": condition_text(field["show_if"], definition)})
    if "require_if" in field:
        sentences.append(_("Required %(when)s") % {
            "when": condition_text(field["require_if"], definition)})
    return sentences


def pages(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pages and their fields as the editor and the publish check list them."""
    labels = palette_labels()
    listed = []
    for page in definition.get("pages", []):
        fields = [{
            "spec": field, "label": field_label(field), "type_label": type_label(field, labels),
            "details": field_details(field), "conditions": conditions_of(field, definition),
        } for field in page.get("fields", []) if isinstance(field, Mapping)]
        listed.append({
            "key": page.get("key"), "title": localized(page.get("title")), "fields": fields,
            "condition": condition_text(page["show_if"], definition) if "show_if" in page else "",
        })
    return listed


def _english(value: Any) -> str:
    return str(value.get("en", "")).strip() if isinstance(value, Mapping) else ""


def _japanese(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("ja", "")).strip()
    return str(value).strip() if isinstance(value, str) else ""


def _palette_defaults() -> dict[str, tuple[str, str]]:
    """Each palette entry's starting label (ja, en), to spot an English label left behind."""
    defaults = {}
    for _cls, entry in entries():
        label = entry.start.get("label", {})
        defaults[_japanese(label)] = (_japanese(label), _english(label))
    return defaults


def english_missing(definition: Mapping[str, Any]) -> list[str]:
    """The texts residents read that have no English, or whose English is still the palette's
    starting label although the Japanese was changed ("New field" for 「兄弟姉妹のお名前」).

    Residents who read English see the Japanese text where the English is missing.
    """
    missing: list[str] = []
    starting_en = {en for _ja, en in _palette_defaults().values() if en}
    starting_ja = set(_palette_defaults())

    def check(value: Any, where: str) -> None:
        if not _japanese(value):
            return
        english = _english(value)
        if not english:
            missing.append(where)
        elif english in starting_en and _japanese(value) not in starting_ja:
            missing.append(_("%(where)s (the English is still “%(english)s”)")
                           % {"where": where, "english": english})

    check(definition.get("title"), _("Title of the form"))
    for number, page in enumerate(definition.get("pages", []), start=1):
        name = localized(page.get("title"), "ja")
        check(page.get("title"), _("Title of page %(number)d “%(title)s”")
              % {"number": number, "title": name})
        check(page.get("intro"), _("Introduction of page %(number)d") % {"number": number})
        for field in page.get("fields", []):
            if isinstance(field, Mapping):
                _check_field(field, check)
    return missing


def _check_field(field: Mapping[str, Any], check: Any) -> None:
    name = localized(field.get("label"), "ja") or field_label(field)
    names = {
        "label": _("Question “%(field)s”"), "hint": _("Help text of “%(field)s”"),
        "statement": _("Text next to the checkbox of “%(field)s”"),
        "text": _("Guidance “%(field)s”"), "unit": _("Unit of “%(field)s”"),
        "item_label": _("Name of one row of “%(field)s”"),
    }
    for text in FIELD_TEXTS:
        if text in field:
            check(field[text], names[text] % {"field": name})
    for option in field.get("options", []):
        if isinstance(option, Mapping):
            check(option.get("label"), _("Option “%(option)s” of “%(field)s”")
                  % {"option": localized(option.get("label"), "ja"), "field": name})
    for sub in field.get("fields", []):
        if isinstance(sub, Mapping):
            _check_field(sub, check)
