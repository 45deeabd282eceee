"""The builder's "edit field" form: which settings each field type offers, and reading them back.

The settings are made from the options a field type declares
(``FieldType.declared_options()``): each option's kind, or its ``editor``, picks an
:class:`Editor` that shows its inputs and reads them.
A setting is one input on the page. :func:`settings_for` lists them with their current values;
:func:`read_settings` turns the POST into changes for
:func:`madoguchi.forms.builder.edits.update_field` or messages for the clerk. Conditions are
read in :mod:`.conditions`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from madoguchi.core.i18n import localized
from madoguchi.core.textkeys import keep_other_languages
from madoguchi.jp import width as jp_width

from ..concepts import ROW_CONCEPTS
from ..fields import FieldType, registry
from ..fields.options import DEFAULT_LIMIT_MESSAGE, FieldOption, OptionKind
from .dates import limits_of, read_limits
from .edits import entry_type, starting_spec, typed_texts, unique_key
from .palette import group_entries

MAX_TEXT = 2000


@dataclass(frozen=True)
class Setting:
    """One input of the edit-field page."""

    name: str
    label: str
    kind: str  # text, textarea, number, checkbox, select, options, subfields, date_limits
    value: Any = ""
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()


def _text(spec: Mapping[str, Any], name: str, language: str) -> str:
    value = spec.get(name)
    if isinstance(value, Mapping):
        return str(value.get(language, ""))
    return str(value) if language == "ja" and value else ""


def _options_text(spec: Mapping[str, Any], name: str = "options") -> str:
    lines = []
    for option in spec.get(name, []):
        label = option.get("label", {})
        ja, en = _text({"l": label}, "l", "ja"), _text({"l": label}, "l", "en")
        lines.append(f"{ja} / {en}" if en and en != ja else ja)
    return "\n".join(lines)


def settings_for(spec: Mapping[str, Any]) -> list[Setting]:
    """The inputs offered for a field of this spec, with their current values."""
    field_type = registry.get(str(spec.get("type", "")))
    items = [
        Setting("label_ja", _("Question or label (Japanese)"), "text", _text(spec, "label", "ja")),
        Setting("label_en", _("Question or label (English)"), "text", _text(spec, "label", "en"),
                _("Not copied from the Japanese. Left empty, residents who read English see "
                  "the Japanese text.")),
    ]
    if field_type is None or field_type.has_value:
        items += [
            Setting("hint_ja", _("Help text (Japanese)"), "textarea", _text(spec, "hint", "ja"),
                    _("Shown under the question, e.g. where to find the number.")),
            Setting("hint_en", _("Help text (English)"), "textarea", _text(spec, "hint", "en")),
            Setting("required", _("An answer is required"), "checkbox",
                    bool(spec.get("required"))),
        ]
    for editor, option in _editors(field_type):
        items += editor.show(option, spec)
    return items


def read_settings(
    spec: Mapping[str, Any], post: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Changes to ``spec`` from the edit-field POST (``None`` removes an option), and errors."""
    errors: list[str] = []
    changes: dict[str, Any] = {}
    field_type = registry.get(str(spec.get("type", "")))
    label = _bilingual(post, "label", spec.get("label"))
    if label is None:
        errors.append(_("Enter the question or label."))
    else:
        changes["label"] = label
    if field_type is None or field_type.has_value:
        changes["hint"] = _bilingual(post, "hint", spec.get("hint"))
        changes["required"] = post.get("required") == "on" or None
    for editor, option in _editors(field_type):
        changes.update(editor.read(option, spec, post, errors))
    return changes, errors


# --- editors: the inputs of one option ---------------------------------------------------------
@dataclass(frozen=True)
class Editor:
    """How the edit-field page shows an option (``show``) and reads it back (``read``, which
    returns the changes and adds messages to ``errors``)."""

    show: Callable[[FieldOption, Mapping[str, Any]], list[Setting]]
    read: Callable[[FieldOption, Mapping[str, Any], Mapping[str, Any], list[str]], dict[str, Any]]


def _editors(field_type: type[FieldType] | None) -> list[tuple[Editor, FieldOption]]:
    """The editor of each option the builder offers, in the declared order. An editor named by
    several options (the date limits show ``min`` and ``max`` together) comes once."""
    found: list[tuple[Editor, FieldOption]] = []
    named: set[str] = set()
    for option in field_type.declared_options() if field_type is not None else ():
        if not option.builder:
            continue
        name = option.editor or _default_editor(option)
        if option.editor and name in named:
            continue
        named.add(name)
        found.append((EDITORS[name], option))
    return found


def _default_editor(option: FieldOption) -> str:
    if option.kind == OptionKind.TEXT and option.choices:
        return "select"
    return DEFAULT_EDITORS[option.kind]


def _shown(option: FieldOption, spec: Mapping[str, Any]) -> Any:
    value = spec.get(option.name, option.default)
    return "" if value is None else value


def _show_checkbox(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    return [Setting(option.name, str(option.label), "checkbox", bool(spec.get(option.name)),
                    str(option.hint))]


def _read_checkbox(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
                   errors: list[str]) -> dict[str, Any]:
    return {option.name: post.get(option.name) == "on" or None}


def _show_number(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    return [Setting(option.name, str(option.label), "number", _shown(option, spec),
                    str(option.hint))]


def _read_number(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
                 errors: list[str]) -> dict[str, Any]:
    number = _whole_number(post, option.name, str(option.label), errors)
    low, high = option.minimum, option.maximum
    if number is not None and ((low is not None and number < low)
                               or (high is not None and number > high)):
        message = option.limit_message or DEFAULT_LIMIT_MESSAGE
        errors.append(str(message) % {"label": option.label, "min": low, "max": high})
    return {option.name: number}


def _show_text(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    return [Setting(option.name, str(option.label), "text", _shown(option, spec),
                    str(option.hint))]


def _read_text(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
               errors: list[str]) -> dict[str, Any]:
    return {option.name: clean_text(post.get(option.name), option.maximum or MAX_TEXT) or None}


def _show_select(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    choices = tuple((value, str(label)) for value, label in option.choices)
    return [Setting(option.name, str(option.label), "select", _shown(option, spec),
                    str(option.hint), choices)]


def _read_select(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
                 errors: list[str]) -> dict[str, Any]:
    """The chosen value; the default is stored as no value."""
    value = post.get(option.name)
    chosen = value in {v for v, _label in option.choices} and value != option.default
    return {option.name: value if chosen else None}


def _texts_editor(kind: str) -> Editor:
    """A text per language: an input for Japanese and one for English (``kind``: text or
    textarea); the hint goes with the Japanese one."""

    def show(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
        return [
            Setting(f"{option.name}_ja", str(option.label), kind,
                    _text(spec, option.name, "ja"), str(option.hint)),
            Setting(f"{option.name}_en", str(option.label_en), kind,
                    _text(spec, option.name, "en")),
        ]

    def read(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
             errors: list[str]) -> dict[str, Any]:
        return {option.name: _bilingual(post, option.name, spec.get(option.name))}

    return Editor(show, read)


def _show_shared(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    return [Setting(f"{option.name}_ja", str(option.label), "text",
                    _text(spec, option.name, "ja"), str(option.hint))]


def _read_shared(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
                 errors: list[str]) -> dict[str, Any]:
    """One text for every language (a unit such as 円 reads the same in English)."""
    text = clean_text(post.get(f"{option.name}_ja"), option.maximum or MAX_TEXT)
    return {option.name: keep_other_languages(spec.get(option.name), {"ja": text, "en": text})
            if text else None}


def _show_words(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    chosen = spec.get(option.name, option.default) or ()
    return [Setting(f"{option.name}_{value}", str(label), "checkbox", value in chosen)
            for value, label in option.choices]


def _read_words(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
                errors: list[str]) -> dict[str, Any]:
    """The ticked choices; none ticked is refused and keeps the default."""
    chosen = [value for value, _label in option.choices
              if post.get(f"{option.name}_{value}") == "on"]
    if not chosen:
        errors.append(str(option.empty_message))
    return {option.name: chosen or list(option.default or ())}


def _show_date_limits(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    return [Setting("date_limits", str(option.label), "date_limits", limits_of(spec))]


def _read_date_limits(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
                      errors: list[str]) -> dict[str, Any]:
    low, high, date_errors = read_limits(post)
    errors += date_errors
    return {"min": low, "max": high}


def _show_options(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    return [Setting(option.name, str(option.label), "options", _options_text(spec, option.name),
                    str(option.hint))]


def _read_options(option: FieldOption, spec: Mapping[str, Any], post: Mapping[str, Any],
                  errors: list[str]) -> dict[str, Any]:
    options = _options(clean_text(post.get(option.name), 20000), spec.get(option.name, []))
    if not options:
        errors.append(str(option.empty_message))
    return {option.name: options}


def _show_subfields(option: FieldOption, spec: Mapping[str, Any]) -> list[Setting]:
    return [Setting(option.name, str(option.label), "subfields",
                    _subfield_rows(spec, option.name), "", tuple(group_entries()))]


def _read_subfield_option(option: FieldOption, spec: Mapping[str, Any],
                          post: Mapping[str, Any], errors: list[str]) -> dict[str, Any]:
    fields = _read_subfields(spec, option.name, post, errors)
    if not fields:
        errors.append(str(option.empty_message))
    return {option.name: fields}


EDITORS: dict[str, Editor] = {
    "checkbox": Editor(_show_checkbox, _read_checkbox),
    "number": Editor(_show_number, _read_number),
    "text": Editor(_show_text, _read_text),
    "select": Editor(_show_select, _read_select),
    "texts": _texts_editor("text"),
    "textarea": _texts_editor("textarea"),
    "shared": Editor(_show_shared, _read_shared),
    "words": Editor(_show_words, _read_words),
    "date_limits": Editor(_show_date_limits, _read_date_limits),
    "options": Editor(_show_options, _read_options),
    "subfields": Editor(_show_subfields, _read_subfield_option),
}
DEFAULT_EDITORS: dict[OptionKind, str] = {
    OptionKind.FLAG: "checkbox", OptionKind.COUNT: "number", OptionKind.NUMBER: "number",
    OptionKind.SIZE: "number", OptionKind.TEXT: "text", OptionKind.TEXTS: "texts",
    OptionKind.WORDS: "words", OptionKind.DATE: "date_limits", OptionKind.OPTIONS: "options",
    OptionKind.FIELDS: "subfields",
}


# --- a repeating group's questions -------------------------------------------------------------
def _list_option(type_name: Any) -> str | None:
    """The name of the option list (a choice's ``options``) of a sub-field's type, if any."""
    field_type = registry.get(str(type_name))
    declared = field_type.spec_options if field_type is not None else ()
    return next((o.name for o in declared if o.kind == OptionKind.OPTIONS), None)


def _subfield_rows(spec: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    rows = []
    for sub in spec.get(name, []):
        if not isinstance(sub, Mapping):
            continue
        listed = _list_option(sub.get("type"))
        rows.append({"key": sub.get("key", ""), "type": sub.get("type", ""),
                     "label_ja": _text(sub, "label", "ja"), "label_en": _text(sub, "label", "en"),
                     "required": bool(sub.get("required")),
                     "options": _options_text(sub, listed) if listed else None,
                     "concept": sub.get("concept", ""),
                     "concepts": _row_concepts_for(sub.get("type"))})
    return rows


def _row_concepts_for(type_name: Any) -> list[tuple[str, str]]:
    """``(key, label)`` of the row concepts a sub-field of this type may name."""
    return [(c.key, c.text) for c in ROW_CONCEPTS.values() if c.type_name == type_name]


def _read_subfields(spec: Mapping[str, Any], name: str, post: Mapping[str, Any],
                    errors: list[str]) -> list[dict[str, Any]]:
    """The group's sub-fields from the rows of the edit page (``sub-<i>-…``), in order, minus
    the ones marked for removal, plus one new sub-field when a kind was chosen to add."""
    old = [s for s in spec.get(name, []) if isinstance(s, Mapping)]
    fields: list[dict[str, Any]] = []
    for index, sub in enumerate(old):
        prefix = f"sub-{index}-"
        if post.get(f"{prefix}remove") == "on":
            continue
        updated = dict(sub)
        label = _bilingual({k[len(prefix):]: v for k, v in post.items() if k.startswith(prefix)},
                           "label", sub.get("label"))
        if label is None:
            errors.append(_("Enter the question of row field %(number)d.") % {"number": index + 1})
        else:
            updated["label"] = label
        if post.get(f"{prefix}required") == "on":
            updated["required"] = True
        else:
            updated.pop("required", None)
        if f"{prefix}concept" in post:
            concept = clean_text(post.get(f"{prefix}concept"), 60)
            if concept in dict(_row_concepts_for(sub.get("type"))):
                updated["concept"] = concept
            elif concept:
                errors.append(_("Row field %(number)d: choose a concept of the list, or none.")
                              % {"number": index + 1})
            else:
                updated.pop("concept", None)
        listed = _list_option(sub.get("type"))
        if listed and f"{prefix}options" in post:
            updated[listed] = _options(clean_text(post.get(f"{prefix}options"), 20000),
                                       sub.get(listed, []))
            if not updated[listed]:
                errors.append(_("Write at least one option."))
        fields.append(updated)
    entry = post.get("sub_add", "")
    if entry in dict(group_entries()):
        new = starting_spec(entry, unique_key(entry_type(entry), {f.get("key") for f in fields}))
        fields.append(new)
    return fields


def clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    """A posted text without NUL characters, with Unix line ends, stripped and bounded."""
    text = value if isinstance(value, str) else ""
    return text.replace("\x00", "").replace("\r\n", "\n").strip()[:limit]


def _bilingual(post: Mapping[str, Any], name: str, old: Any = None) -> dict[str, str] | None:
    """The texts typed in ``<name>_ja`` and ``<name>_en`` over the other languages of ``old``;
    English is never copied from Japanese (see
    :func:`~madoguchi.forms.builder.edits.typed_texts`)."""
    return typed_texts(clean_text(post.get(f"{name}_ja")),
                       clean_text(post.get(f"{name}_en")), old) or None


def _whole_number(post: Mapping[str, Any], name: str, label: str,
                  errors: list[str]) -> int | None:
    text = jp_width.to_ascii(clean_text(post.get(name), 20)).replace(",", "")
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,12}", text):
        errors.append(_("%(label)s: enter a whole number.") % {"label": label})
        return None
    return int(text)


def _options(text: str, old: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Options from "日本語 / English" lines, keeping the stored value of unchanged labels."""
    by_label = {localized(o.get("label"), "ja"): o.get("value") for o in old}
    old_labels = {str(o.get("value")): o.get("label") for o in old}
    used = {str(v) for v in by_label.values()}
    options = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        ja, _sep, en = (part.strip() for part in line.partition(" / "))
        value = by_label.get(ja)
        if value is None or str(value) in {str(o["value"]) for o in options}:
            number = len(options) + 1
            while f"o{number}" in used:
                number += 1
            value = f"o{number}"
            used.add(value)
        options.append({"value": value,
                        "label": typed_texts(ja, en, old_labels.get(str(value)))})
    return options
