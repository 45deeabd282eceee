"""The structure of an imported definition: JSON types of pages, fields and options, sizes, and
regular expressions that cannot slow the server down."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from ..fields.options import OptionKind
from .common import (
    MAX_FIELDS,
    MAX_KEY_LENGTH,
    MAX_OPTIONS,
    MAX_PAGES,
    MAX_PATTERN_LENGTH,
    Path,
    Problems,
    is_bilingual,
    where,
)
from .options import OptionTable, option_table

# --- the definition's structure ----------------------------------------------------------------
DEFINITION_PATH: Path = ("form", "definition")


def check_definition_structure(definition: dict[str, Any], root: Any,
                                problems: Problems) -> None:
    """JSON types of the definition, its pages and fields, and the size limits."""
    for name in ("applicant_field", "access", "assurance", "contact_field"):
        if name in definition and not isinstance(definition[name], str):
            problems.add(_("The form setting “%(name)s” must be text.") % {"name": name})
    if "title" in definition and not is_bilingual(definition["title"]):
        problems.add(_("The text at %(place)s must be an object of texts by language, e.g. "
                       "{\"ja\": \"…\", \"en\": \"…\"}.")
                     % {"place": where(root, (*DEFINITION_PATH, "title"))})
    pages = definition.get("pages")
    if not isinstance(pages, list):
        return  # check_definition says the form needs pages
    if len(pages) > MAX_PAGES:
        problems.add(_("The form has %(count)d pages; at most %(limit)d are allowed.")
                     % {"count": len(pages), "limit": MAX_PAGES})
    counter = [0]
    table = option_table()
    for index, page in enumerate(pages):
        path = (*DEFINITION_PATH, "pages", index)
        if not isinstance(page, dict):
            continue  # check_definition says the page needs a key
        _check_options(page, path, root, problems, table, field_type=None)
        fields = page.get("fields", [])
        if not isinstance(fields, list):
            continue  # check_definition says the fields must be a list
        _check_fields(fields, (*path, "fields"), root, problems, counter, table)
    if counter[0] > MAX_FIELDS:
        problems.add(_("The form has %(count)d fields; at most %(limit)d are allowed.")
                     % {"count": counter[0], "limit": MAX_FIELDS})


def _check_fields(fields: list[Any], path: Path, root: Any, problems: Problems,
                  counter: list[int], table: OptionTable) -> None:
    for index, field in enumerate(fields):
        counter[0] += 1
        place = (*path, index)
        if not isinstance(field, dict):
            problems.add(_("%(place)s must be an object with a key, a type and a label.")
                         % {"place": where(root, place)})
            continue
        field_type = field.get("type") if isinstance(field.get("type"), str) else None
        _check_options(field, place, root, problems, table, field_type=field_type)
        for name, value in field.items():
            kinds = table.kinds(field_type, name) if value is not None else []
            if OptionKind.OPTIONS in kinds:
                _check_choice_options(value, (*place, name), root, problems)
            elif OptionKind.FIELDS in kinds:
                if isinstance(value, list):
                    _check_fields(value, (*place, name), root, problems, counter, table)
                else:
                    problems.add(_("%(place)s must be a list of fields.")
                                 % {"place": where(root, (*place, name))})


def _check_options(spec: dict[str, Any], path: Path, root: Any, problems: Problems,
                   table: OptionTable, *, field_type: str | None) -> None:
    """The JSON type of each declared option of a page or field."""
    for name, value in spec.items():
        problem = table.problem(field_type, name, value)
        if problem is not None:
            problems.add(problem % {"place": where(root, (*path, name))})
    pattern = spec.get("pattern")
    if isinstance(pattern, str):
        _check_pattern(pattern, (*path, "pattern"), root, problems)


def _check_choice_options(options: Any, path: Path, root: Any, problems: Problems) -> None:
    if not isinstance(options, list):
        problems.add(_("%(place)s must be a list of options.") % {"place": where(root, path)})
        return
    if len(options) > MAX_OPTIONS:
        problems.add(_("%(place)s has %(count)d options; at most %(limit)d are allowed.")
                     % {"place": where(root, path), "count": len(options), "limit": MAX_OPTIONS})
    for index, option in enumerate(options):
        place = (*path, index)
        if not isinstance(option, dict):
            problems.add(_("%(place)s must be an object with a value and a label.")
                         % {"place": where(root, place)})
            continue
        value = option.get("value")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # check_definition accepts whole numbers as values
        if not isinstance(value, str) or not value or len(value) > MAX_KEY_LENGTH:
            problems.add(_("%(place)s needs a “value”: text of 1 to %(limit)d characters.")
                         % {"place": where(root, place), "limit": MAX_KEY_LENGTH})
        if not is_bilingual(option.get("label")):
            problems.add(_("%(place)s needs a “label”: an object of texts by language.")
                         % {"place": where(root, place)})


def _check_pattern(pattern: str, path: Path, root: Any, problems: Problems) -> None:
    """A pattern must compile and must not be able to make the server slow (nested repeats)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        problems.add(_("The pattern at %(place)s is longer than %(limit)d characters.")
                     % {"place": where(root, path), "limit": MAX_PATTERN_LENGTH})
        return
    try:
        re.compile(pattern)
        risky = _has_nested_repeat(pattern)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        problems.add(_("The pattern at %(place)s is not a valid regular expression.")
                     % {"place": where(root, path)})
        return
    if risky:
        problems.add(_("The pattern at %(place)s repeats a group that itself repeats or has "
                       "alternatives (like (a+)+ or (a|b)*); such patterns can make the server "
                       "very slow. Use a character class such as [a-z0-9]+ instead.")
                     % {"place": where(root, path)})


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
