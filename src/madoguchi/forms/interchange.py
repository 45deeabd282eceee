"""Form interchange: one JSON file that carries a form definition between cities.

The file is an envelope around the definition (see ``docs/form-format.md``)::

    {
      "format": "madoguchi-form",
      "format_version": 1,
      "exported_at": "2026-11-23T15:00:00+09:00",
      "form": {"slug": "jido-teate", "title": {"ja": ..., "en": ...},
               "procedure": "jido-teate", "definition": {...}},
      "template": {"description": {"ja": ..., "en": ...}, "category": "childcare"}
    }

``template`` is present only in library templates. :func:`parse_import` reads a file that came
from anywhere: it refuses anything it cannot trust (size, nesting, types, characters, unknown
envelope keys, unsupported versions) with every reason at once, then applies the same checks as
publishing (:func:`madoguchi.forms.definition.check_definition`). It never raises anything but
:class:`ImportRefused`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .definition import FormSpec, check_definition

if TYPE_CHECKING:
    from .models import FormDefinition

logger = logging.getLogger(__name__)

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
_JSON_STRUCTURE = re.compile(r'["\\\[\]{}]')

# Spec options whose JSON type is fixed, whatever the field type.
BILINGUAL_OPTIONS = frozenset({"label", "hint", "unit", "pattern_message", "required_message",
                               "text", "statement", "item_label", "title", "intro"})
BOOLEAN_OPTIONS = frozenset({"required", "sensitive", "multiline", "kana", "past_only",
                             "confirm"})
COUNT_OPTIONS = frozenset({"min_length", "max_length", "min_choices", "max_choices", "min_rows",
                           "max_rows", "max_files"})
STRING_OPTIONS = frozenset({"key", "type", "pattern", "autocomplete", "widget", "counter"})
CONDITION_OPTIONS = frozenset({"show_if", "require_if"})


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


# --- export -------------------------------------------------------------------------------------
def build_envelope(
    slug: str, title: Mapping[str, str], definition: Mapping[str, Any], *,
    procedure_slug: str | None = None, template: TemplateMeta | None = None,
    exported_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The interchange envelope around ``definition`` (a deep copy: later edits do not leak)."""
    moment = exported_at or timezone.now()
    envelope: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": moment.isoformat(timespec="seconds"),
        "form": {
            "slug": slug,
            "title": dict(title),
            "procedure": procedure_slug,
            "definition": copy.deepcopy(dict(definition)),
        },
    }
    if template is not None:
        envelope["template"] = {"description": dict(template.description),
                                "category": template.category}
    return envelope


def export_form(
    form: FormDefinition, definition: Mapping[str, Any], *,
    template: TemplateMeta | None = None, exported_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The envelope for ``form`` with ``definition`` (usually its live version's)."""
    procedure = form.procedure.slug if form.procedure_id else None
    title = form.title if isinstance(form.title, Mapping) else {"ja": str(form.title)}
    return build_envelope(form.slug, title, definition, procedure_slug=procedure,
                          template=template, exported_at=exported_at)


def dumps(envelope: Mapping[str, Any]) -> bytes:
    """An envelope as the bytes of a file: UTF-8, Japanese as is, indented, ending in a newline."""
    text = json.dumps(envelope, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def export_json(
    form: FormDefinition, definition: Mapping[str, Any], *,
    template: TemplateMeta | None = None, exported_at: dt.datetime | None = None,
) -> bytes:
    """:func:`export_form` as the bytes of a ``.json`` file."""
    return dumps(export_form(form, definition, template=template, exported_at=exported_at))


# --- import -------------------------------------------------------------------------------------
def parse_import(data: bytes | str) -> ImportedForm:
    """Read an interchange file, or raise :class:`ImportRefused` with every reason."""
    try:
        return _parse(data)
    except ImportRefused:
        raise
    except Exception:  # a safety net: a hostile file must never become a server error
        logger.exception("form import failed unexpectedly")
        raise ImportRefused([_("The file could not be read as a form. Check that it is a form "
                               "file exported from Madoguchi.")]) from None


def _parse(data: bytes | str) -> ImportedForm:
    text = _decode(data)
    root = _load_json(text)
    problems = _Problems()
    _check_values(root, (), root, problems)
    if not isinstance(root, dict):
        problems.add(_("The file must hold one JSON object {…} with “format” and “form”."))
        problems.raise_if_any()
    if not _check_format(root, problems):
        problems.raise_if_any()  # another format or version: nothing else can be trusted
    _check_unknown_keys(root, ENVELOPE_KEYS, _("The file"), problems)
    slug, title, procedure = _check_form_envelope(root, problems)
    template = _check_template(root, problems)
    exported_at = _check_exported_at(root, problems)
    definition = root["form"].get("definition") if isinstance(root.get("form"), dict) else None
    if not isinstance(definition, dict):
        problems.add(_("“form” needs a “definition” object with the pages of the form."))
        problems.raise_if_any()
    _check_definition_structure(definition, root, problems)
    try:
        problems.extend(check_definition(definition))
    except Exception:
        # Harmless when the file is refused for other reasons anyway; a bug to fix otherwise.
        logger.log(logging.WARNING if problems else logging.ERROR,
                   "check_definition failed on an imported definition", exc_info=True)
        if not problems:
            problems.add(_("The form definition could not be checked. Correct it in the form "
                           "builder of the city that made it, export it again and retry."))
    if not problems:
        try:
            FormSpec(definition)
        except Exception:
            logger.exception("an imported definition passed the checks but does not build")
            problems.add(_("The form definition could not be checked. Correct it in the form "
                           "builder of the city that made it, export it again and retry."))
    problems.raise_if_any()
    return ImportedForm(
        slug=slug, title=title or dict(definition["title"]), procedure_slug=procedure,
        definition=definition, template=template, format_version=root["format_version"],
        exported_at=exported_at,
    )


class _Problems:
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


def _refuse(message: str) -> ImportRefused:
    return ImportRefused([message])


def _size_problem(size: int) -> ImportRefused:
    return _refuse(
        _("The file is too large (%(size)s bytes). A form file may be at most %(limit)s bytes "
          "(1 MB).") % {"size": f"{size:,}", "limit": f"{MAX_BYTES:,}"}
    )


def _decode(data: Any) -> str:
    """The text of ``data``: UTF-8 (a byte order mark is allowed), within the size limit."""
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise _size_problem(len(data))
        try:
            size = len(data.encode("utf-8"))
        except UnicodeEncodeError:
            raise _refuse(_("The file contains characters that are not valid text. Save it as "
                            "UTF-8 and try again.")) from None
        if size > MAX_BYTES:
            raise _size_problem(size)
        text = data.removeprefix("\ufeff")
    elif isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > MAX_BYTES:
            raise _size_problem(len(raw))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            if not _looks_like_shift_jis(raw):
                raise _refuse(_("The file is not UTF-8 text. Choose the .json file exported "
                                "from Madoguchi, saved as UTF-8.")) from None
            raise _refuse(_("The file seems to be saved in Shift_JIS. Save it as UTF-8 and try "
                            "again.")) from None
    else:
        raise _refuse(_("The file could not be read as a form. Check that it is a form file "
                        "exported from Madoguchi."))
    if not text.strip():
        raise _refuse(_("The file is empty."))
    return text


def _looks_like_shift_jis(raw: bytes) -> bool:
    """Whether ``raw`` reads as Japanese text in Shift_JIS (CP932), e.g. saved by Excel."""
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        return False
    return bool(re.search("[\u3040-\u30ff\u4e00-\u9fff]", text))


def _nesting_depth_exceeded(text: str) -> bool:
    """Whether arrays and objects nest deeper than the limit (scanned before parsing)."""
    depth = 0
    in_string = False
    skip_at = -1
    for match in _JSON_STRUCTURE.finditer(text):
        position = match.start()
        if position == skip_at:
            continue  # the character after a backslash
        char = match.group()
        if in_string:
            if char == "\\":
                skip_at = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _load_json(text: str) -> Any:
    """Parse JSON, refusing NaN/Infinity, huge numbers and duplicate keys, with every reason."""
    if _nesting_depth_exceeded(text):
        raise _refuse(_("The file nests lists and objects more than %(limit)d levels deep. A "
                        "form never needs that many; the file is damaged or not a form.")
                      % {"limit": MAX_NESTING})
    problems = _Problems()

    def number_problem(token: str) -> None:
        problems.add(_("The number %(number)s is not allowed. Numbers must be between "
                       "-%(limit)s and %(limit)s.")
                     % {"number": token[:30], "limit": f"{MAX_NUMBER:,}"})

    def parse_constant(token: str) -> None:
        number_problem(token)

    def parse_int(token: str) -> int:
        if len(token.lstrip("-")) > 16 or abs(int(token)) > MAX_NUMBER:
            number_problem(token)
            return 0
        return int(token)

    def parse_float(token: str) -> float:
        value = float(token) if len(token) <= 40 else math.inf
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            number_problem(token)
            return 0.0
        return value

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                problems.add(_("The key “%(key)s” appears twice in the same object. Keep one.")
                             % {"key": _short(key)})
            result[key] = value
        return result

    try:
        root = json.loads(text, parse_constant=parse_constant, parse_int=parse_int,
                          parse_float=parse_float, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise _refuse(_("The file is not valid JSON (line %(line)d, column %(column)d). Check "
                        "that it was not cut short or edited by hand by mistake.")
                      % {"line": exc.lineno, "column": exc.colno}) from None
    except RecursionError:
        raise _refuse(_("The file nests lists and objects more than %(limit)d levels deep. A "
                        "form never needs that many; the file is damaged or not a form.")
                      % {"limit": MAX_NESTING}) from None
    problems.raise_if_any()
    return root


def _short(text: str, limit: int = 40) -> str:
    """A piece of untrusted text safe to quote in a message: no controls, bounded."""
    cleaned = FORBIDDEN_CHARACTERS.sub("?", text)
    return cleaned if len(cleaned) <= limit else cleaned[:limit] + "…"


# --- where a problem is ---------------------------------------------------------------------------
Path = tuple[str | int, ...]


def _place(root: Any, path: Path) -> str:
    """A readable location such as "page 2 (student) › field 3 (grade) › “label”"."""
    parts: list[str] = []
    node = root
    parent_key: str | int | None = None
    for segment in path:
        child = _child(node, segment)
        if isinstance(segment, int):
            key = child.get("key") if isinstance(child, dict) else None
            named = f" ({_short(key)})" if isinstance(key, str) and key else ""
            if parent_key == "pages":
                parts[-1:] = [_("page %(number)d") % {"number": segment + 1} + named]
            elif parent_key == "fields":
                parts[-1:] = [_("field %(number)d") % {"number": segment + 1} + named]
            elif parent_key == "options":
                parts[-1:] = [_("option %(number)d") % {"number": segment + 1}]
            else:
                parts.append(_("item %(number)d") % {"number": segment + 1})
        elif segment not in ("form", "definition") or parts:
            parts.append(f"“{_short(segment)}”")
        parent_key = segment
        node = child
    return " › ".join(parts) if parts else _("the whole file")


def _child(node: Any, segment: str | int) -> Any:
    if isinstance(segment, int) and isinstance(node, list) and segment < len(node):
        return node[segment]
    if isinstance(segment, str) and isinstance(node, dict):
        return node.get(segment)
    return None


# --- every value: sizes and characters -----------------------------------------------------------
def _check_values(value: Any, path: Path, root: Any, problems: _Problems) -> None:
    """Strings, keys, arrays and objects within the limits, anywhere in the file."""
    if isinstance(value, str):
        _check_text(value, path, root, problems, MAX_STRING_LENGTH)
    elif isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            problems.add(_("%(place)s has %(count)s items; at most %(limit)d are allowed.")
                         % {"place": _place(root, path), "count": f"{len(value):,}",
                            "limit": MAX_LIST_ITEMS})
            return
        for index, item in enumerate(value):
            _check_values(item, (*path, index), root, problems)
    elif isinstance(value, dict):
        if len(value) > MAX_OBJECT_KEYS:
            problems.add(_("%(place)s has %(count)s keys; at most %(limit)d are allowed.")
                         % {"place": _place(root, path), "count": f"{len(value):,}",
                            "limit": MAX_OBJECT_KEYS})
            return
        for key, item in value.items():
            _check_text(key, path, root, problems, MAX_KEY_LENGTH, is_key=True)
            _check_values(item, (*path, key), root, problems)


def _check_text(text: str, path: Path, root: Any, problems: _Problems, limit: int,
                *, is_key: bool = False) -> None:
    if len(text) > limit:
        if is_key:
            problems.add(_("A key in %(place)s is longer than %(limit)d characters.")
                         % {"place": _place(root, path), "limit": limit})
        else:
            problems.add(_("The text at %(place)s has %(count)s characters; at most %(limit)s "
                           "are allowed.") % {"place": _place(root, path),
                                              "count": f"{len(text):,}", "limit": f"{limit:,}"})
    if FORBIDDEN_CHARACTERS.search(text):
        problems.add(_("The text at %(place)s contains characters that cannot be used (control "
                       "characters such as NUL, or marks that reverse the text direction). "
                       "Remove them.") % {"place": _place(root, path)})


# --- the envelope ---------------------------------------------------------------------------------
def _check_format(root: dict[str, Any], problems: _Problems) -> bool:
    """Whether the file names this format and a version this installation reads."""
    fmt = root.get("format")
    if fmt != FORMAT_NAME:
        problems.add(_("This is not a Madoguchi form file: “format” must be “%(expected)s”.")
                     % {"expected": FORMAT_NAME})
        return False
    version = root.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        problems.add(_("“format_version” must be a whole number such as 1."))
        return False
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        if version > max(SUPPORTED_VERSIONS):
            problems.add(_("This file uses format version %(version)d, made by a newer "
                           "Madoguchi. This installation reads format version %(supported)s; "
                           "update Madoguchi or ask for a file in version %(supported)s.")
                         % {"version": version, "supported": supported})
        else:
            problems.add(_("Format version %(version)d is not supported. This installation "
                           "reads format version %(supported)s.")
                         % {"version": version, "supported": supported})
        return False
    return True


def _check_unknown_keys(obj: dict[str, Any], known: frozenset[str], owner: str,
                        problems: _Problems) -> None:
    unknown = sorted(set(obj) - known)
    if unknown:
        problems.add(_("%(owner)s has keys that format version %(version)d does not know: "
                       "%(keys)s. Remove them.")
                     % {"owner": owner, "version": FORMAT_VERSION,
                        "keys": ", ".join(_short(k) for k in unknown[:10])})


def _check_form_envelope(
    root: dict[str, Any], problems: _Problems,
) -> tuple[str, dict[str, str] | None, str | None]:
    form = root.get("form")
    if not isinstance(form, dict):
        problems.add(_("The file needs a “form” object with the slug, title and definition."))
        return "", None, None
    _check_unknown_keys(form, FORM_KEYS, "“form”", problems)
    slug = form.get("slug")
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        problems.add(_("The form's “slug” must be 1 to 50 lowercase letters, digits, "
                       "hyphens and underscores, not starting with a hyphen, e.g. "
                       "jido-teate."))
        slug = ""
    title = form.get("title")
    if title is not None and not _is_bilingual(title):
        problems.add(_("The form's “title” must be an object of texts by language, e.g. "
                       "{\"ja\": \"児童手当\", \"en\": \"Child allowance\"}."))
        title = None
    procedure = form.get("procedure")
    if procedure is not None and (not isinstance(procedure, str)
                                  or not SLUG_PATTERN.match(procedure)):
        problems.add(_("The form's “procedure” must be the slug of a procedure (lowercase "
                       "letters, digits, hyphens and underscores) or null."))
        procedure = None
    return slug, title, procedure


def _check_template(root: dict[str, Any], problems: _Problems) -> TemplateMeta | None:
    if "template" not in root:
        return None
    meta = root["template"]
    if not isinstance(meta, dict):
        problems.add(_("“template” must be an object with a description and a category."))
        return None
    _check_unknown_keys(meta, TEMPLATE_KEYS, "“template”", problems)
    description = meta.get("description")
    category = meta.get("category")
    ok = True
    if not _is_bilingual(description):
        problems.add(_("The template's “description” must be an object of texts by language."))
        ok = False
    if category not in CATEGORIES:
        problems.add(_("The template's “category” must be one of: %(categories)s.")
                     % {"categories": ", ".join(CATEGORIES)})
        ok = False
    return TemplateMeta(description=dict(description), category=category) if ok else None


def _check_exported_at(root: dict[str, Any], problems: _Problems) -> dt.datetime | None:
    if "exported_at" not in root:
        return None
    value = root["exported_at"]
    moment = None
    if isinstance(value, str) and len(value) <= 40:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is None:
        problems.add(_("“exported_at” must be a date and time such as "
                       "2026-11-23T15:00:00+09:00."))
    return moment


def _is_bilingual(value: Any) -> bool:
    """{"ja": "…", "en": "…"}: language codes to texts, at least one."""
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(k, str) and LANGUAGE_PATTERN.match(k) and isinstance(v, str)
                    for k, v in value.items()))


# --- the definition's structure ----------------------------------------------------------------
DEFINITION_PATH: Path = ("form", "definition")


def _check_definition_structure(definition: dict[str, Any], root: Any,
                                problems: _Problems) -> None:
    """JSON types of the definition, its pages and fields, and the size limits."""
    for name in ("applicant_field", "access", "contact_field"):
        if name in definition and not isinstance(definition[name], str):
            problems.add(_("The form setting “%(name)s” must be text.") % {"name": name})
    if "title" in definition and not _is_bilingual(definition["title"]):
        problems.add(_("The text at %(place)s must be an object of texts by language, e.g. "
                       "{\"ja\": \"…\", \"en\": \"…\"}.")
                     % {"place": _place(root, (*DEFINITION_PATH, "title"))})
    pages = definition.get("pages")
    if not isinstance(pages, list):
        return  # check_definition says the form needs pages
    if len(pages) > MAX_PAGES:
        problems.add(_("The form has %(count)d pages; at most %(limit)d are allowed.")
                     % {"count": len(pages), "limit": MAX_PAGES})
    counter = [0]
    for index, page in enumerate(pages):
        path = (*DEFINITION_PATH, "pages", index)
        if not isinstance(page, dict):
            continue  # check_definition says the page needs a key
        _check_options(page, path, root, problems, field_type=None)
        fields = page.get("fields", [])
        if not isinstance(fields, list):
            continue  # check_definition says the fields must be a list
        _check_fields(fields, (*path, "fields"), root, problems, counter)
    if counter[0] > MAX_FIELDS:
        problems.add(_("The form has %(count)d fields; at most %(limit)d are allowed.")
                     % {"count": counter[0], "limit": MAX_FIELDS})


def _check_fields(fields: list[Any], path: Path, root: Any, problems: _Problems,
                  counter: list[int]) -> None:
    for index, field in enumerate(fields):
        counter[0] += 1
        place = (*path, index)
        if not isinstance(field, dict):
            problems.add(_("%(place)s must be an object with a key, a type and a label.")
                         % {"place": _place(root, place)})
            continue
        field_type = field.get("type") if isinstance(field.get("type"), str) else None
        _check_options(field, place, root, problems, field_type=field_type)
        options = field.get("options")
        if options is not None:
            _check_choice_options(options, (*place, "options"), root, problems)
        sub_fields = field.get("fields")
        if sub_fields is not None:
            if isinstance(sub_fields, list):
                _check_fields(sub_fields, (*place, "fields"), root, problems, counter)
            else:
                problems.add(_("%(place)s must be a list of fields.")
                             % {"place": _place(root, (*place, "fields"))})


def _check_options(spec: dict[str, Any], path: Path, root: Any, problems: _Problems, *,
                   field_type: str | None) -> None:
    """The JSON type of each known option of a page or field."""
    for name, value in spec.items():
        place = (*path, name)
        if name in BILINGUAL_OPTIONS and not _is_bilingual(value):
            problems.add(_("The text at %(place)s must be an object of texts by language, e.g. "
                           "{\"ja\": \"…\", \"en\": \"…\"}.") % {"place": _place(root, place)})
        elif name in BOOLEAN_OPTIONS and not isinstance(value, bool):
            problems.add(_("%(place)s must be true or false.") % {"place": _place(root, place)})
        elif name in COUNT_OPTIONS and not _is_count(value):
            problems.add(_("%(place)s must be a whole number of 0 or more.")
                         % {"place": _place(root, place)})
        elif name in STRING_OPTIONS and not isinstance(value, str):
            problems.add(_("%(place)s must be text.") % {"place": _place(root, place)})
        elif name in CONDITION_OPTIONS and not isinstance(value, dict):
            problems.add(_("The condition at %(place)s must be a JSON Logic object, e.g. "
                           "{\"==\": [{\"var\": \"relationship\"}, \"parent\"]}.")
                         % {"place": _place(root, place)})
        elif name == "max_size_mb" and not (isinstance(value, int | float)
                                            and not isinstance(value, bool) and value >= 0):
            problems.add(_("%(place)s must be a number of 0 or more.")
                         % {"place": _place(root, place)})
        elif name in ("min", "max"):
            _check_bound(value, place, root, problems, field_type)
        elif name == "accept" and not (isinstance(value, list)
                                       and all(isinstance(v, str) for v in value)):
            problems.add(_("%(place)s must be a list of file kinds, e.g. [\"image\", \"pdf\"].")
                         % {"place": _place(root, place)})
    pattern = spec.get("pattern")
    if isinstance(pattern, str):
        _check_pattern(pattern, (*path, "pattern"), root, problems)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_bound(value: Any, place: Path, root: Any, problems: _Problems,
                 field_type: str | None) -> None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if field_type == "number" and not is_number:
        problems.add(_("%(place)s must be a number.") % {"place": _place(root, place)})
    elif field_type == "date" and not isinstance(value, str):
        problems.add(_("%(place)s must be a date such as 2026-04-01, “today” or “+30d”.")
                     % {"place": _place(root, place)})
    elif not (is_number or isinstance(value, str)):
        problems.add(_("%(place)s must be a number or a date.") % {"place": _place(root, place)})


def _check_choice_options(options: Any, path: Path, root: Any, problems: _Problems) -> None:
    if not isinstance(options, list):
        problems.add(_("%(place)s must be a list of options.") % {"place": _place(root, path)})
        return
    if len(options) > MAX_OPTIONS:
        problems.add(_("%(place)s has %(count)d options; at most %(limit)d are allowed.")
                     % {"place": _place(root, path), "count": len(options), "limit": MAX_OPTIONS})
    for index, option in enumerate(options):
        place = (*path, index)
        if not isinstance(option, dict):
            problems.add(_("%(place)s must be an object with a value and a label.")
                         % {"place": _place(root, place)})
            continue
        value = option.get("value")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # check_definition accepts whole numbers as values
        if not isinstance(value, str) or not value or len(value) > MAX_KEY_LENGTH:
            problems.add(_("%(place)s needs a “value”: text of 1 to %(limit)d characters.")
                         % {"place": _place(root, place), "limit": MAX_KEY_LENGTH})
        if not _is_bilingual(option.get("label")):
            problems.add(_("%(place)s needs a “label”: an object of texts by language.")
                         % {"place": _place(root, place)})


def _check_pattern(pattern: str, path: Path, root: Any, problems: _Problems) -> None:
    """A pattern must compile and must not be able to make the server slow (nested repeats)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        problems.add(_("The pattern at %(place)s is longer than %(limit)d characters.")
                     % {"place": _place(root, path), "limit": MAX_PATTERN_LENGTH})
        return
    try:
        re.compile(pattern)
        risky = _has_nested_repeat(pattern)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        problems.add(_("The pattern at %(place)s is not a valid regular expression.")
                     % {"place": _place(root, path)})
        return
    if risky:
        problems.add(_("The pattern at %(place)s repeats a group that itself repeats or has "
                       "alternatives (like (a+)+ or (a|b)*); such patterns can make the server "
                       "very slow. Use a character class such as [a-z0-9]+ instead.")
                     % {"place": _place(root, path)})


def _has_nested_repeat(pattern: str) -> bool:
    """Whether a repeat can try exponentially many ways to match (ReDoS).

    Refused: an unbounded repeat around a repeat or an alternation, like ``(a+)+`` or
    ``(a|ab)*``, and any repeat around an unbounded repeat, like ``(a+){2}``.
    """
    parser = getattr(re, "_parser", None)
    if parser is None:  # pragma: no cover - other Python implementations: be cautious
        return bool(re.search(r"\)[*+{]", pattern))
    constants = re._constants  # type: ignore[attr-defined]
    repeats = {constants.MAX_REPEAT, constants.MIN_REPEAT,
               getattr(constants, "POSSESSIVE_REPEAT", constants.MAX_REPEAT)}
    unbounded = constants.MAXREPEAT

    def inner(items: Any) -> tuple[bool, bool]:
        """(has a repeat or an alternation, has an unbounded repeat) anywhere in ``items``."""
        multiple = endless = False
        for op, av in items:
            children = _subpatterns(op, av, constants)
            if op in repeats:
                multiple = multiple or av[1] > 1
                endless = endless or av[1] == unbounded
                children = [av[2]]
            elif op == constants.BRANCH:
                multiple = True
            for child in children:
                child_multiple, child_endless = inner(child)
                multiple, endless = multiple or child_multiple, endless or child_endless
        return multiple, endless

    def walk(items: Any) -> bool:
        for op, av in items:
            if op in repeats:
                multiple, endless = inner(av[2])
                if (av[1] == unbounded and multiple) or (av[1] > 1 and endless):
                    return True
                children = [av[2]]
            else:
                children = _subpatterns(op, av, constants)
            if any(walk(child) for child in children):
                return True
        return False

    return walk(parser.parse(pattern))


def _subpatterns(op: Any, av: Any, constants: Any) -> list[Any]:
    """The nested sub-patterns of one parsed regular-expression item."""
    if op == constants.SUBPATTERN:
        return [av[-1]]
    if op == constants.BRANCH:
        return list(av[1])
    if op in (constants.ASSERT, constants.ASSERT_NOT):
        return [av[1]]
    if op == getattr(constants, "ATOMIC_GROUP", None):
        return [av]
    if op == constants.GROUPREF_EXISTS:
        return [s for s in av[1:] if s is not None]
    return []
