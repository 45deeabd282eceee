"""The JSON type of each option of an imported page or field, from the declarations of the field
types (``FieldType.declared_options()``) and the options every field or page has.

An option is checked by what its field's own type declares. An option the type does not declare
(it has no effect there) is still checked by what the other types declare under that name, as
the format has one meaning per name; when they declare different kinds, any of them will do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Set
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ..fields import registry
from ..fields.options import COMMON_OPTIONS, PAGE_OPTIONS, FieldOption, OptionKind
from .common import is_bilingual


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class KindCheck:
    """Whether a value is of a kind, and the problem (with ``%(place)s``) when it is not."""

    accepts: Callable[[Any], bool]
    problem: Promise


# The kinds checked here; options and sub-fields are checked item by item in .structure.
KIND_CHECKS: dict[OptionKind, KindCheck] = {
    OptionKind.FLAG: KindCheck(lambda v: isinstance(v, bool),
                               gettext_lazy("%(place)s must be true or false.")),
    OptionKind.COUNT: KindCheck(_is_count,
                                gettext_lazy("%(place)s must be a whole number of 0 or more.")),
    OptionKind.NUMBER: KindCheck(_is_number, gettext_lazy("%(place)s must be a number.")),
    OptionKind.SIZE: KindCheck(lambda v: _is_number(v) and v >= 0,
                               gettext_lazy("%(place)s must be a number of 0 or more.")),
    OptionKind.TEXT: KindCheck(lambda v: isinstance(v, str),
                               gettext_lazy("%(place)s must be text.")),
    OptionKind.TEXTS: KindCheck(is_bilingual, gettext_lazy(
        "The text at %(place)s must be an object of texts by language, e.g. "
        "{\"ja\": \"…\", \"en\": \"…\"}.")),
    OptionKind.WORDS: KindCheck(
        lambda v: isinstance(v, list) and all(isinstance(w, str) for w in v),
        gettext_lazy("%(place)s must be a list of file kinds, e.g. [\"image\", \"pdf\"].")),
    OptionKind.DATE: KindCheck(lambda v: isinstance(v, str), gettext_lazy(
        "%(place)s must be a date such as 2026-04-01, “today” or “+30d”.")),
    OptionKind.CONDITION: KindCheck(lambda v: isinstance(v, dict), gettext_lazy(
        "The condition at %(place)s must be a JSON Logic object, e.g. "
        "{\"==\": [{\"var\": \"relationship\"}, \"parent\"]}.")),
}
# The problem when an option may be of either kind (declared differently by different types).
EITHER_PROBLEMS: dict[frozenset[OptionKind], Promise] = {
    frozenset({OptionKind.NUMBER, OptionKind.DATE}):
        gettext_lazy("%(place)s must be a number or a date."),
}


@dataclass
class OptionTable:
    """Every declared option: by field type (``None`` for a page) and by name."""

    own: dict[tuple[str | None, str], OptionKind] = field(default_factory=dict)
    anywhere: dict[str, list[OptionKind]] = field(default_factory=dict)

    def add(self, owner: str | None, option: FieldOption) -> None:
        self.own.setdefault((owner, option.name), option.kind)
        kinds = self.anywhere.setdefault(option.name, [])
        if option.kind not in kinds:
            kinds.append(option.kind)

    def kinds(self, field_type: str | None, name: str) -> list[OptionKind]:
        """The kinds ``name`` may have on a field of ``field_type`` (a page: ``None``)."""
        for owner in (field_type, ""):
            if (owner, name) in self.own:
                return [self.own[owner, name]]
        return list(self.anywhere.get(name, ()))

    def problem(self, field_type: str | None, name: str, value: Any) -> str | None:
        """What is wrong with ``value`` (with ``%(place)s`` to fill in), or None."""
        kinds = [k for k in self.kinds(field_type, name) if k in KIND_CHECKS]
        if not kinds or any(KIND_CHECKS[k].accepts(value) for k in kinds):
            return None
        either = EITHER_PROBLEMS.get(frozenset(kinds))
        return str(either if either is not None and len(kinds) > 1
                   else KIND_CHECKS[kinds[0]].problem)


def option_table() -> OptionTable:
    """The options declared now: every field's (owner ``""``), every page's and each type's."""
    table = OptionTable()
    for option in COMMON_OPTIONS:
        table.add("", option)
    for option in PAGE_OPTIONS:
        table.add(None, option)
    for field_type in registry:
        for option in field_type.declared_options():
            table.add(field_type.type_name, option)
    return table


class _NamesOfKind(Set[str]):
    """The names declared with one kind anywhere, read from the registry each time."""

    def __init__(self, kind: OptionKind) -> None:
        self.kind = kind

    def _names(self) -> set[str]:
        return {name for name, kinds in option_table().anywhere.items() if self.kind in kinds}

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names()))

    def __len__(self) -> int:
        return len(self._names())


# Options that hold a text per language ({"ja": …, "en": …}) on some field or page.
BILINGUAL_OPTIONS: Set[str] = _NamesOfKind(OptionKind.TEXTS)
