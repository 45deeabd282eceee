"""What the interchange modules share: limits, the results and the refusal, and how a problem
names its place in the file."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

FORMAT_NAME = "madoguchi-form"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = (1,)

# Limits: far above any real form, low enough that a hostile file costs little to refuse.
MAX_BYTES = 1_000_000  # the whole file
MAX_NESTING = 40  # arrays and objects inside each other
MAX_PAGES = 30
MAX_FIELDS = 200  # fields on all pages, group sub-fields included
MAX_OPTIONS = 100  # options of one choice
MAX_STRING_LENGTH = 5000  # characters in one text (guidance included)
MAX_KEY_LENGTH = 100  # characters in one object key
MAX_LIST_ITEMS = 500  # items in one array
MAX_OBJECT_KEYS = 100  # keys in one object
MAX_NUMBER = 10**15  # absolute value of any number
MAX_PATTERN_LENGTH = 200
MAX_REPORTED_PROBLEMS = 50

ENVELOPE_KEYS = frozenset({"format", "format_version", "exported_at", "form", "template"})
FORM_KEYS = frozenset({"slug", "title", "procedure", "definition"})
TEMPLATE_KEYS = frozenset({"description", "category"})
CATEGORIES = ("residence", "childcare", "health", "welfare", "tax", "education", "events",
              "survey", "other")

# What django.utils.text.slugify gives (lowercase), within SlugField's 50 characters.
SLUG_PATTERN = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,49}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")
# C0 controls but tab/newline/return, DEL and C1 controls, text-direction overrides and
# isolates, lone surrogates (from \ud800-style escapes) and the two non-characters.
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


class ImportRefused(Exception):
    """The file cannot be imported; ``problems`` says every reason, for the staff member."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class TemplateMeta:
    """What a library template adds: a description and a category for the library's list."""

    description: dict[str, str]
    category: str


@dataclass(frozen=True)
class ImportedForm:
    """A form read from an interchange file; ``definition`` passes ``check_definition``."""

    slug: str
    title: dict[str, str]
    procedure_slug: str | None
    definition: dict[str, Any]
    template: TemplateMeta | None = None
    format_version: int = FORMAT_VERSION
    exported_at: dt.datetime | None = None

class Problems:
    """An ordered list of distinct problems, capped so that a hostile file cannot flood it."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.extra = 0

    def add(self, message: str) -> None:
        if message[:1].upper() + message[1:] in self.items:
            return
        if len(self.items) < MAX_REPORTED_PROBLEMS:
            self.items.append(message[:1].upper() + message[1:])
        else:
            self.extra += 1

    def extend(self, messages: list[str]) -> None:
        for message in messages:
            self.add(message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        reported = list(self.items)
        if self.extra:
            reported.append(_("…and %(count)d more problems.") % {"count": self.extra})
        raise ImportRefused(reported)

def short_text(text: str, limit: int = 40) -> str:
    """A piece of untrusted text safe to quote in a message: no controls, bounded."""
    cleaned = FORBIDDEN_CHARACTERS.sub("?", text)
    return cleaned if len(cleaned) <= limit else cleaned[:limit] + "…"


# --- where a problem is ---------------------------------------------------------------------------
Path = tuple[str | int, ...]


def where(root: Any, path: Path) -> str:
    """A readable location such as "page 2 (student) › field 3 (grade) › “label”"."""
    parts: list[str] = []
    node = root
    parent_key: str | int | None = None
    for segment in path:
        child = _child(node, segment)
        if isinstance(segment, int):
            key = child.get("key") if isinstance(child, dict) else None
            named = f" ({short_text(key)})" if isinstance(key, str) and key else ""
            if parent_key == "pages":
                parts[-1:] = [_("page %(number)d") % {"number": segment + 1} + named]
            elif parent_key == "fields":
                parts[-1:] = [_("field %(number)d") % {"number": segment + 1} + named]
            elif parent_key == "options":
                parts[-1:] = [_("option %(number)d") % {"number": segment + 1}]
            else:
                parts.append(_("item %(number)d") % {"number": segment + 1})
        elif segment not in ("form", "definition") or parts:
            parts.append(f"“{short_text(segment)}”")
        parent_key = segment
        node = child
    return " › ".join(parts) if parts else _("the whole file")


def _child(node: Any, segment: str | int) -> Any:
    if isinstance(segment, int) and isinstance(node, list) and segment < len(node):
        return node[segment]
    if isinstance(segment, str) and isinstance(node, dict):
        return node.get(segment)
    return None

def is_bilingual(value: Any) -> bool:
    """{"ja": "…", "en": "…"}: language codes to texts, at least one."""
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(k, str) and LANGUAGE_PATTERN.match(k) and isinstance(v, str)
                    for k, v in value.items()))
