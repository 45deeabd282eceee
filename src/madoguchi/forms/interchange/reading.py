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

import datetime as dt
import json
import logging
import math
import re
from typing import Any

from django.utils.translation import gettext as _

from ..definition import FormSpec, check_definition
from .common import (
    CATEGORIES,
    ENVELOPE_KEYS,
    FORBIDDEN_CHARACTERS,
    FORM_KEYS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_BYTES,
    MAX_KEY_LENGTH,
    MAX_LIST_ITEMS,
    MAX_NESTING,
    MAX_NUMBER,
    MAX_OBJECT_KEYS,
    MAX_STRING_LENGTH,
    SLUG_PATTERN,
    SUPPORTED_VERSIONS,
    TEMPLATE_KEYS,
    ImportedForm,
    ImportRefused,
    Path,
    Problems,
    TemplateMeta,
    is_bilingual,
    short_text,
    where,
)
from .structure import check_definition_structure

logger = logging.getLogger(__name__)
_JSON_STRUCTURE = re.compile(r'["\\\[\]{}]')


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
    problems = Problems()
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
    check_definition_structure(definition, root, problems)
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
    problems = Problems()

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
                             % {"key": short_text(key)})
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

# --- every value: sizes and characters -----------------------------------------------------------
def _check_values(value: Any, path: Path, root: Any, problems: Problems) -> None:
    """Strings, keys, arrays and objects within the limits, anywhere in the file."""
    if isinstance(value, str):
        _check_text(value, path, root, problems, MAX_STRING_LENGTH)
    elif isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            problems.add(_("%(place)s has %(count)s items; at most %(limit)d are allowed.")
                         % {"place": where(root, path), "count": f"{len(value):,}",
                            "limit": MAX_LIST_ITEMS})
            return
        for index, item in enumerate(value):
            _check_values(item, (*path, index), root, problems)
    elif isinstance(value, dict):
        if len(value) > MAX_OBJECT_KEYS:
            problems.add(_("%(place)s has %(count)s keys; at most %(limit)d are allowed.")
                         % {"place": where(root, path), "count": f"{len(value):,}",
                            "limit": MAX_OBJECT_KEYS})
            return
        for key, item in value.items():
            _check_text(key, path, root, problems, MAX_KEY_LENGTH, is_key=True)
            _check_values(item, (*path, key), root, problems)


def _check_text(text: str, path: Path, root: Any, problems: Problems, limit: int,
                *, is_key: bool = False) -> None:
    if len(text) > limit:
        if is_key:
            problems.add(_("A key in %(place)s is longer than %(limit)d characters.")
                         % {"place": where(root, path), "limit": limit})
        else:
            problems.add(_("The text at %(place)s has %(count)s characters; at most %(limit)s "
                           "are allowed.") % {"place": where(root, path),
                                              "count": f"{len(text):,}", "limit": f"{limit:,}"})
    if FORBIDDEN_CHARACTERS.search(text):
        problems.add(_("The text at %(place)s contains characters that cannot be used (control "
                       "characters such as NUL, or marks that reverse the text direction). "
                       "Remove them.") % {"place": where(root, path)})


# --- the envelope ---------------------------------------------------------------------------------
def _check_format(root: dict[str, Any], problems: Problems) -> bool:
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
                        problems: Problems) -> None:
    unknown = sorted(set(obj) - known)
    if unknown:
        problems.add(_("%(owner)s has keys that format version %(version)d does not know: "
                       "%(keys)s. Remove them.")
                     % {"owner": owner, "version": FORMAT_VERSION,
                        "keys": ", ".join(short_text(k) for k in unknown[:10])})


def _check_form_envelope(
    root: dict[str, Any], problems: Problems,
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
    if title is not None and not is_bilingual(title):
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


def _check_template(root: dict[str, Any], problems: Problems) -> TemplateMeta | None:
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
    if not is_bilingual(description):
        problems.add(_("The template's “description” must be an object of texts by language."))
        ok = False
    if category not in CATEGORIES:
        problems.add(_("The template's “category” must be one of: %(categories)s.")
                     % {"categories": ", ".join(CATEGORIES)})
        ok = False
    return TemplateMeta(description=dict(description), category=category) if ok else None


def _check_exported_at(root: dict[str, Any], problems: Problems) -> dt.datetime | None:
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
