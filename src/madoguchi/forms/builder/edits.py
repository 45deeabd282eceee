"""The builder's edits, as pure functions on a form definition (a JSON-like dict).

Each edit returns a new definition and leaves its input untouched, so a view can save the result
as the next revision of the draft together with a one-line summary of what changed. Edits never
check the whole form: a draft may be incomplete;
:func:`~madoguchi.forms.definition.check_definition` says what stops it from being published.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from madoguchi.core.i18n import localized
from madoguchi.core.jsonlogic import Condition
from madoguchi.core.textkeys import keep_other_languages

from ..definition import KEY_PATTERN
from .palette import EntryRefused, find_entry

MAX_FIELDS = 200
MAX_PAGES = 30


class EditRefused(ValueError):
    """The edit cannot be made (e.g. unknown field); ``message`` is for the clerk."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _bilingual(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


def typed_texts(ja: str, en: str, old: Any = None) -> dict[str, str]:
    """A text as the clerk typed it in Japanese and English, keeping the other languages of
    ``old`` (translations imported by the workflow). A missing English text is left out, never
    copied from the Japanese: residents reading English then see the Japanese (``localized``),
    and the builder lists what still needs English."""
    return keep_other_languages(old, {"ja": ja.strip(), "en": en.strip()})


def starting_spec(entry: str, key: str) -> dict[str, Any]:
    """The spec of a new field from the palette entry ``entry``; a field that takes a value
    starts required."""
    try:
        cls, declared = find_entry(entry)
    except EntryRefused:
        raise EditRefused(_("This kind of field cannot be added.")) from None
    spec = {"key": key, "type": cls.type_name, **copy.deepcopy(dict(declared.start))}
    if cls.has_value:
        spec["required"] = True
    return spec


def entry_type(entry: str) -> str:
    """The field type a palette entry adds (the base of a new field's key)."""
    try:
        return find_entry(entry)[0].type_name
    except EntryRefused:
        raise EditRefused(_("This kind of field cannot be added.")) from None


def all_field_keys(definition: Mapping[str, Any]) -> list[str]:
    return [f.get("key") for p in definition.get("pages", []) for f in p.get("fields", [])
            if isinstance(f, Mapping)]


def unique_key(base: str, taken: set[str]) -> str:
    """``<base>_<n>``: the first such key not in ``taken``."""
    base = re.sub(r"[^a-z0-9_]", "_", base.lower()).strip("_")[:30] or "item"
    if not base[0].isalpha():
        base = f"f_{base}"[:30]
    number = 1
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def _find_page(definition: dict[str, Any], page_key: str) -> dict[str, Any]:
    for page in definition.get("pages", []):
        if page.get("key") == page_key:
            return page
    raise EditRefused(_("That page no longer exists. Reload the page."))


def find_field(definition: Mapping[str, Any], key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(page, field) for the field ``key``."""
    for page in definition.get("pages", []):
        for field in page.get("fields", []):
            if isinstance(field, Mapping) and field.get("key") == key:
                return page, field  # type: ignore[return-value]
    raise EditRefused(_("That field no longer exists. Reload the page."))


def new_definition(title_ja: str, title_en: str = "") -> dict[str, Any]:
    return {
        "title": typed_texts(title_ja, title_en),
        "pages": [{"key": "page_1", "title": _bilingual("入力してください", "Your answers"),
                   "fields": []}],
    }


# --- pages --------------------------------------------------------------------------------------
def add_page(definition: Mapping[str, Any]) -> tuple[dict[str, Any], str, str]:
    """Append an empty page; returns (definition, summary, new page key)."""
    result = copy.deepcopy(dict(definition))
    pages = result.setdefault("pages", [])
    if len(pages) >= MAX_PAGES:
        raise EditRefused(_("A form can have at most %(max)d pages.") % {"max": MAX_PAGES})
    key = unique_key("page", {p.get("key") for p in pages})
    number = len(pages) + 1
    pages.append({"key": key, "title": _bilingual(f"{number}ページ目", f"Page {number}"),
                  "fields": []})
    return result, _("Added page %(number)d.") % {"number": number}, key


def update_page(definition: Mapping[str, Any], page_key: str, *, title_ja: str, title_en: str,
                intro_ja: str, intro_en: str) -> tuple[dict[str, Any], str]:
    result = copy.deepcopy(dict(definition))
    page = _find_page(result, page_key)
    page["title"] = typed_texts(title_ja, title_en, page.get("title"))
    if intro_ja.strip() or intro_en.strip():
        page["intro"] = typed_texts(intro_ja, intro_en, page.get("intro"))
    else:
        page.pop("intro", None)
    return result, _("Changed page “%(title)s”.") % {"title": title_ja.strip()}


def remove_page(definition: Mapping[str, Any], page_key: str) -> tuple[dict[str, Any], str]:
    result = copy.deepcopy(dict(definition))
    page = _find_page(result, page_key)
    if len(result["pages"]) == 1:
        raise EditRefused(_("A form needs at least one page."))
    result["pages"].remove(page)
    return result, _("Removed page “%(title)s”.") % {"title": localized(page.get("title"))}


def move_page(
    definition: Mapping[str, Any], page_key: str, offset: int
) -> tuple[dict[str, Any], str]:
    result = copy.deepcopy(dict(definition))
    pages = result["pages"]
    page = _find_page(result, page_key)
    index = pages.index(page)
    target = max(0, min(len(pages) - 1, index + offset))
    pages.insert(target, pages.pop(index))
    return result, _("Moved page “%(title)s”.") % {"title": localized(page.get("title"))}


# --- fields -------------------------------------------------------------------------------------
def add_field(
    definition: Mapping[str, Any], page_key: str, entry: str
) -> tuple[dict[str, Any], str, str]:
    """Add a field from the palette at the end of a page; returns (definition, summary, key)."""
    result = copy.deepcopy(dict(definition))
    page = _find_page(result, page_key)
    taken = set(all_field_keys(result))
    if len(taken) >= MAX_FIELDS:
        raise EditRefused(_("A form can have at most %(max)d fields.") % {"max": MAX_FIELDS})
    spec = starting_spec(entry, unique_key(entry_type(entry), taken))
    page.setdefault("fields", []).append(spec)
    summary = _("Added the field “%(label)s”.") % {"label": localized(spec["label"])}
    return result, summary, spec["key"]


def update_field(
    definition: Mapping[str, Any], key: str, changes: Mapping[str, Any]
) -> tuple[dict[str, Any], str]:
    """Replace options of the field ``key``; a value of ``None`` removes that option."""
    result = copy.deepcopy(dict(definition))
    _page, field = find_field(result, key)
    new_key = changes.get("key")
    if new_key is not None and new_key != key:
        if not KEY_PATTERN.match(str(new_key)):
            raise EditRefused(_("A key uses lowercase letters, digits and _, starting with a "
                                "letter."))
        if new_key in all_field_keys(result):
            raise EditRefused(_("Another field already has the key “%(key)s”.") % {"key": new_key})
        _rename_references(result, key, new_key)
    for name, value in changes.items():
        if value is None:
            field.pop(name, None)
        else:
            field[name] = value
    return result, _("Changed the field “%(label)s”.") % {"label": localized(field.get("label"))}


def _rename_references(definition: dict[str, Any], old: str, new: str) -> None:
    """Point conditions and form settings at a field's new key."""

    def rename(rule: Any) -> Any:
        if isinstance(rule, list):
            return [rename(r) for r in rule]
        if isinstance(rule, dict):
            if set(rule) == {"var"} and rule["var"] == old:
                return {"var": new}
            return {k: rename(v) for k, v in rule.items()}
        return rule

    for setting in ("applicant_field", "contact_field"):
        if definition.get(setting) == old:
            definition[setting] = new
    for page in definition.get("pages", []):
        if "show_if" in page:
            page["show_if"] = rename(page["show_if"])
        for field in page.get("fields", []):
            for kind in ("show_if", "require_if"):
                if kind in field:
                    field[kind] = rename(field[kind])


def remove_field(definition: Mapping[str, Any], key: str) -> tuple[dict[str, Any], str]:
    """Remove a field. Conditions that point at it stay, so publishing says what to fix."""
    result = copy.deepcopy(dict(definition))
    page, field = find_field(result, key)
    page["fields"].remove(field)
    return result, _("Removed the field “%(label)s”.") % {"label": localized(field.get("label"))}


def move_field(definition: Mapping[str, Any], key: str, offset: int) -> tuple[dict[str, Any], str]:
    """Move a field up (-1) or down (+1); past the first or last field it changes page."""
    result = copy.deepcopy(dict(definition))
    pages = result["pages"]
    page, field = find_field(result, key)
    fields = page["fields"]
    index = fields.index(field)
    target = index + offset
    page_index = pages.index(page)
    if 0 <= target < len(fields):
        fields.insert(target, fields.pop(index))
    elif target < 0 and page_index > 0:
        fields.pop(index)
        pages[page_index - 1].setdefault("fields", []).append(field)
    elif target >= len(fields) and page_index < len(pages) - 1:
        fields.pop(index)
        pages[page_index + 1].setdefault("fields", []).insert(0, field)
    return result, _("Moved the field “%(label)s”.") % {"label": localized(field.get("label"))}


def reorder(
    definition: Mapping[str, Any], layout: Mapping[str, list[str]]
) -> tuple[dict[str, Any], str]:
    """Put fields on pages in the order given by ``layout`` (page key → field keys).

    Used by drag and drop. Every field must appear exactly once; pages keep their order.
    """
    result = copy.deepcopy(dict(definition))
    by_key = {f["key"]: f for p in result["pages"] for f in p.get("fields", [])}
    listed = [k for keys in layout.values() for k in keys]
    page_keys = {p["key"] for p in result["pages"]}
    if sorted(listed) != sorted(by_key) or set(layout) - page_keys:
        raise EditRefused(_("The form changed in the meantime. Reload the page and try again."))
    for page in result["pages"]:
        page["fields"] = [by_key[k] for k in layout.get(page["key"], [])]
    return result, _("Changed the order of the fields.")


def set_condition(definition: Mapping[str, Any], *, page_key: str | None = None,
                  field_key: str | None = None, kind: str = "show_if",
                  condition: Condition | None = None) -> tuple[dict[str, Any], str]:
    """Set or clear the ``show_if`` / ``require_if`` condition of a page or a field."""
    if kind not in ("show_if", "require_if") or (page_key is None) == (field_key is None):
        raise EditRefused(_("This condition cannot be set."))
    result = copy.deepcopy(dict(definition))
    if field_key is not None:
        _page, target = find_field(result, field_key)
        name = localized(target.get("label"))
    else:
        if kind != "show_if":
            raise EditRefused(_("This condition cannot be set."))
        target = _find_page(result, page_key or "")
        name = localized(target.get("title"))
    if condition is None:
        target.pop(kind, None)
        return result, _("Removed the condition of “%(name)s”.") % {"name": name}
    target[kind] = condition.to_logic()
    return result, _("Set the condition of “%(name)s”.") % {"name": name}


def set_settings(definition: Mapping[str, Any], *, title_ja: str, title_en: str, access: str,
                 applicant_field: str, contact_field: str, signature: bool | None = None,
                 assurance: str = "email") -> tuple[dict[str, Any], str]:
    """The form's settings; ``signature``: the resident signs on the counter's screen (None
    leaves the setting as it is); ``assurance``: "high" when a resident form needs a
    card-based sign-in."""
    result = copy.deepcopy(dict(definition))
    result["title"] = typed_texts(title_ja, title_en, result.get("title"))
    result["access"] = access
    if signature:
        result["signature"] = True
    elif signature is not None:
        result.pop("signature", None)
    if access == "resident" and assurance == "high":
        result["assurance"] = "high"
    else:
        result.pop("assurance", None)
    for name, value in (("applicant_field", applicant_field), ("contact_field", contact_field)):
        if value:
            result[name] = value
        else:
            result.pop(name, None)
    return result, _("Changed the form settings.")
