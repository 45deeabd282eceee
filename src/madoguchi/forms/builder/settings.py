"""The builder's "edit field" form: which settings each field type offers, and reading them back.

A setting is one input on the page. :func:`settings_for` lists them with their current values;
:func:`read_settings` turns the POST into changes for
:func:`madoguchi.forms.builder.edits.update_field` or messages for the clerk. Conditions are
read in :mod:`.conditions`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from madoguchi.core.i18n import localized
from madoguchi.jp import width as jp_width

from .dates import limits_of, read_limits
from .edits import palette_labels, starting_spec, typed_texts, unique_key

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


def _options_text(spec: Mapping[str, Any]) -> str:
    lines = []
    for option in spec.get("options", []):
        label = option.get("label", {})
        ja, en = _text({"l": label}, "l", "ja"), _text({"l": label}, "l", "en")
        lines.append(f"{ja} / {en}" if en and en != ja else ja)
    return "\n".join(lines)


def settings_for(spec: Mapping[str, Any]) -> list[Setting]:
    """The inputs offered for a field of this spec, with their current values."""
    kind = spec.get("type")
    items = [
        Setting("label_ja", _("Question or label (Japanese)"), "text", _text(spec, "label", "ja")),
        Setting("label_en", _("Question or label (English)"), "text", _text(spec, "label", "en"),
                _("Not copied from the Japanese. Left empty, residents who read English see "
                  "the Japanese text.")),
    ]
    if kind == "guidance":
        items += [
            Setting("text_ja", _("Guidance (Japanese)"), "textarea", _text(spec, "text", "ja")),
            Setting("text_en", _("Guidance (English)"), "textarea", _text(spec, "text", "en")),
        ]
        return items
    items += [
        Setting("hint_ja", _("Help text (Japanese)"), "textarea", _text(spec, "hint", "ja"),
                _("Shown under the question, e.g. where to find the number.")),
        Setting("hint_en", _("Help text (English)"), "textarea", _text(spec, "hint", "en")),
        Setting("required", _("An answer is required"), "checkbox", bool(spec.get("required"))),
    ]
    if kind == "text":
        items += [
            Setting("multiline", _("Several lines"), "checkbox", bool(spec.get("multiline"))),
            Setting("min_length", _("Fewest characters"), "number", spec.get("min_length", "")),
            Setting("max_length", _("Most characters"), "number", spec.get("max_length", "")),
            Setting("sensitive", _("Sensitive: encrypt the answer and mask it"), "checkbox",
                    bool(spec.get("sensitive"))),
        ]
    elif kind == "number":
        items += [
            Setting("unit_ja", _("Unit (e.g. 円, 人)"), "text", _text(spec, "unit", "ja")),
            Setting("min", _("Smallest number"), "number", spec.get("min", "")),
            Setting("max", _("Largest number"), "number", spec.get("max", "")),
        ]
    elif kind == "date":
        items.append(Setting("date_limits", _("Which dates are accepted"), "date_limits",
                             limits_of(spec)))
    elif kind == "choice":
        items += [
            Setting("widget", _("Shown as"), "select", spec.get("widget", "radio"), "",
                    (("radio", _("Radio buttons (one answer)")),
                     ("select", _("Drop-down list (one answer)")),
                     ("checkboxes", _("Checkboxes (several answers)")))),
            Setting("options", _("Options, one per line"), "options", _options_text(spec),
                    _("Write “Japanese / English” on each line, e.g. 父 / Father.")),
        ]
    elif kind == "name":
        items.append(Setting("kana", _("Ask for furigana too"), "checkbox", bool(spec.get("kana"))))
    elif kind == "consent":
        items += [
            Setting("statement_ja", _("Text next to the checkbox (Japanese)"), "textarea",
                    _text(spec, "statement", "ja"),
                    _("What the resident agrees to, e.g. 記載内容に間違いはありません。")),
            Setting("statement_en", _("Text next to the checkbox (English)"), "textarea",
                    _text(spec, "statement", "en")),
        ]
    elif kind == "email":
        items.append(Setting("confirm", _("Ask to type it twice"), "checkbox",
                             bool(spec.get("confirm"))))
    elif kind == "file":
        accept = spec.get("accept", ["image", "pdf"])
        items += [
            Setting("accept_image", _("Accept photos (JPEG, PNG)"), "checkbox", "image" in accept),
            Setting("accept_pdf", _("Accept PDF"), "checkbox", "pdf" in accept),
            Setting("max_size_mb", _("Largest file (MB)"), "number", spec.get("max_size_mb", 10)),
            Setting("max_files", _("Most files"), "number", spec.get("max_files", 1)),
        ]
    elif kind == "group":
        items += [
            Setting("item_label_ja", _("What one row is (Japanese, e.g. お子さん)"), "text",
                    _text(spec, "item_label", "ja")),
            Setting("item_label_en", _("What one row is (English, e.g. Child)"), "text",
                    _text(spec, "item_label", "en")),
            Setting("min_rows", _("Fewest rows"), "number", spec.get("min_rows", 1)),
            Setting("max_rows", _("Most rows"), "number", spec.get("max_rows", 10)),
            Setting("subfields", _("Questions asked for each row"), "subfields",
                    _subfield_rows(spec), "",
                    tuple((entry, label) for entry, label in palette_choices()
                          if entry in SUBFIELD_ENTRIES)),
        ]
    return items


# What a repeating group may ask for each row (no files, groups or guidance inside a group).
SUBFIELD_ENTRIES = ("text", "number", "date", "choice", "select", "name", "kana", "phone",
                    "email", "address")


def palette_choices() -> list[tuple[str, str]]:
    return list(palette_labels().items())


def _subfield_rows(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for sub in spec.get("fields", []):
        if not isinstance(sub, Mapping):
            continue
        rows.append({"key": sub.get("key", ""), "type": sub.get("type", ""),
                     "label_ja": _text(sub, "label", "ja"), "label_en": _text(sub, "label", "en"),
                     "required": bool(sub.get("required")),
                     "options": _options_text(sub) if sub.get("type") == "choice" else None})
    return rows


def _read_subfields(spec: Mapping[str, Any], post: Mapping[str, Any],
                    errors: list[str]) -> list[dict[str, Any]]:
    """The group's sub-fields from the rows of the edit page (``sub-<i>-…``), in order, minus
    the ones marked for removal, plus one new sub-field when a kind was chosen to add."""
    old = [s for s in spec.get("fields", []) if isinstance(s, Mapping)]
    fields: list[dict[str, Any]] = []
    for index, sub in enumerate(old):
        prefix = f"sub-{index}-"
        if post.get(f"{prefix}remove") == "on":
            continue
        updated = dict(sub)
        label = _bilingual({k[len(prefix):]: v for k, v in post.items() if k.startswith(prefix)},
                           "label")
        if label is None:
            errors.append(_("Enter the question of row field %(number)d.") % {"number": index + 1})
        else:
            updated["label"] = label
        if post.get(f"{prefix}required") == "on":
            updated["required"] = True
        else:
            updated.pop("required", None)
        if sub.get("type") == "choice" and f"{prefix}options" in post:
            updated["options"] = _options(clean_text(post.get(f"{prefix}options"), 20000),
                                          sub.get("options", []))
            if not updated["options"]:
                errors.append(_("Write at least one option."))
        fields.append(updated)
    entry = post.get("sub_add", "")
    if entry in SUBFIELD_ENTRIES:
        base = {"checkboxes": "choice", "select": "choice"}.get(entry, entry)
        new = starting_spec(entry, unique_key(base, {f.get("key") for f in fields}))
        fields.append(new)
    if not fields:
        errors.append(_("A repeating group needs at least one question for each row."))
    return fields


def clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    """A posted text without NUL characters, with Unix line ends, stripped and bounded."""
    text = value if isinstance(value, str) else ""
    return text.replace("\x00", "").replace("\r\n", "\n").strip()[:limit]


def _bilingual(post: Mapping[str, Any], name: str) -> dict[str, str] | None:
    """The texts typed in ``<name>_ja`` and ``<name>_en``; English is never copied from
    Japanese (see :func:`~madoguchi.forms.builder.edits.typed_texts`)."""
    return typed_texts(clean_text(post.get(f"{name}_ja")),
                       clean_text(post.get(f"{name}_en"))) or None


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
        options.append({"value": value, "label": typed_texts(ja, en)})
    return options


def read_settings(
    spec: Mapping[str, Any], post: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Changes to ``spec`` from the edit-field POST (``None`` removes an option), and errors."""
    errors: list[str] = []
    changes: dict[str, Any] = {}
    kind = spec.get("type")
    label = _bilingual(post, "label")
    if label is None:
        errors.append(_("Enter the question or label."))
    else:
        changes["label"] = label
    if kind == "guidance":
        changes["text"] = _bilingual(post, "text")
        return changes, errors
    changes["hint"] = _bilingual(post, "hint")
    changes["required"] = post.get("required") == "on" or None
    if kind == "text":
        changes["multiline"] = post.get("multiline") == "on" or None
        changes["sensitive"] = post.get("sensitive") == "on" or None
        low = _whole_number(post, "min_length", _("Fewest characters"), errors)
        high = _whole_number(post, "max_length", _("Most characters"), errors)
        if high is not None and not 1 <= high <= MAX_TEXT:
            errors.append(_("Most characters: enter 1 to %(max)d.") % {"max": MAX_TEXT})
        changes["min_length"], changes["max_length"] = low, high
    elif kind == "number":
        unit = clean_text(post.get("unit_ja"), 10)
        changes["unit"] = {"ja": unit, "en": unit} if unit else None
        changes["min"] = _whole_number(post, "min", _("Smallest number"), errors)
        changes["max"] = _whole_number(post, "max", _("Largest number"), errors)
    elif kind == "date":
        changes["min"], changes["max"], date_errors = read_limits(post)
        errors += date_errors
    elif kind == "choice":
        widget = post.get("widget")
        changes["widget"] = widget if widget in ("select", "checkboxes") else None
        changes["options"] = _options(clean_text(post.get("options"), 20000),
                                      spec.get("options", []))
        if not changes["options"]:
            errors.append(_("Write at least one option."))
    elif kind == "name":
        changes["kana"] = post.get("kana") == "on" or None
    elif kind == "consent":
        changes["statement"] = _bilingual(post, "statement")
    elif kind == "email":
        changes["confirm"] = post.get("confirm") == "on" or None
    elif kind == "file":
        accept = [k for k in ("image", "pdf") if post.get(f"accept_{k}") == "on"]
        if not accept:
            errors.append(_("Accept photos, PDF or both."))
        changes["accept"] = accept or ["image", "pdf"]
        changes["max_size_mb"] = _whole_number(post, "max_size_mb", _("Largest file (MB)"), errors)
        changes["max_files"] = _whole_number(post, "max_files", _("Most files"), errors)
    elif kind == "group":
        changes["item_label"] = _bilingual(post, "item_label")
        changes["min_rows"] = _whole_number(post, "min_rows", _("Fewest rows"), errors)
        changes["max_rows"] = _whole_number(post, "max_rows", _("Most rows"), errors)
        changes["fields"] = _read_subfields(spec, post, errors)
    return changes, errors
