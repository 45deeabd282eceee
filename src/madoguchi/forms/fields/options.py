"""What a field type declares about itself, once: its options and its entries in the palette.

The builder's edit-field page, its palette, the interchange format's checks of an imported file
and the field-type reference in ``docs/plugins.md`` are all made from these declarations, so a
new field type needs no edit anywhere else (see ``docs/plugins.md``, "Field types").

An option's :class:`OptionKind` says what JSON value it holds (checked on import) and which input
the builder shows for it (``editor`` picks another input for the same kind).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ..concepts import concept_choices

# A text for people: a plain string or a lazy translation (gettext_lazy), read when shown.
Text = str | Promise


class OptionKind(enum.StrEnum):
    """The JSON value of an option."""

    FLAG = "flag"  # true or false; the builder shows a checkbox
    COUNT = "count"  # a whole number of 0 or more
    NUMBER = "number"  # any number (the builder asks for a whole number)
    SIZE = "size"  # a number of 0 or more (the builder asks for a whole number)
    TEXT = "text"  # one text, one of ``choices`` when the option has them
    TEXTS = "texts"  # a text per language, {"ja": "…", "en": "…"}
    WORDS = "words"  # a list of words, each one of ``choices``
    DATE = "date"  # a date bound: "2026-04-01", "today", "+30d", "-18y"
    OPTIONS = "options"  # the options of a choice: [{"value": …, "label": {…}}, …]
    FIELDS = "fields"  # the sub-fields of a repeating group
    CONDITION = "condition"  # a JSON Logic rule


@dataclass(frozen=True)
class FieldOption:
    """One option of a field's spec, e.g. ``max_length`` of a text field.

    ``label`` (and ``hint``) name the builder's input; a :attr:`OptionKind.TEXTS` option has two
    inputs, ``label`` for the Japanese one and ``label_en`` for the English one. ``default`` is
    the value used when the spec leaves the option out (shown in the builder and the docs).
    ``minimum`` and ``maximum`` bound a number the builder accepts (with ``limit_message``, which
    may use ``%(label)s``, ``%(min)d`` and ``%(max)d``), or the characters of a text.
    ``empty_message`` is the builder's message when a list the field needs is left empty.
    ``editor`` names another builder input than the kind's usual one: ``"textarea"`` or
    ``"shared"`` (one text for every language) for texts, ``"date_limits"`` for date bounds
    (one input for ``min`` and ``max`` together). ``builder=False`` leaves the option out of the
    edit-field page (it is still checked on import and documented).
    """

    name: str
    kind: OptionKind
    label: Text = ""
    label_en: Text = ""
    hint: Text = ""
    default: Any = None
    choices: tuple[tuple[str, Text], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    limit_message: Text = ""
    empty_message: Text = ""
    editor: str = ""
    builder: bool = True


@dataclass(frozen=True)
class PaletteEntry:
    """A button of the builder's palette that adds a field of the declaring type.

    ``start`` is the new field's spec without its key, type and ``required`` (a field that takes
    a value starts required). ``order`` places the entry in the palette (smaller first).
    ``in_group`` offers it as a question for each row of a repeating group. ``match`` tells the
    entry's fields apart from the type's other entries, e.g. ``{"widget": "select"}``; the entry
    with an empty ``match`` names the type's other fields.
    """

    name: str
    label: Text
    start: Mapping[str, Any] = field(default_factory=dict)
    order: int = 1000
    in_group: bool = False
    match: Mapping[str, Any] = field(default_factory=dict)


# Options every field may have; the builder asks for label, hint and required itself.
COMMON_OPTIONS: tuple[FieldOption, ...] = (
    FieldOption("key", OptionKind.TEXT),
    FieldOption("type", OptionKind.TEXT),
    FieldOption("label", OptionKind.TEXTS),
    FieldOption("hint", OptionKind.TEXTS),
    FieldOption("required", OptionKind.FLAG, default=False),
    FieldOption("sensitive", OptionKind.FLAG, default=False),
    FieldOption("autocomplete", OptionKind.TEXT),
    FieldOption("show_if", OptionKind.CONDITION),
    FieldOption("require_if", OptionKind.CONDITION),
)

# Options every field that takes a value has, after its type's own
# (``FieldType.declared_options()``).
VALUE_OPTIONS: tuple[FieldOption, ...] = (
    FieldOption("concept", OptionKind.TEXT, gettext_lazy("Concept (the same answer in every form)"),
                hint=gettext_lazy("What the question asks about, in words shared by all forms. "
                                  "At the counter a concept is asked once and its answer fills "
                                  "every form that asks for it."),
                default="", choices=(("", gettext_lazy("(none)")), *concept_choices())),
)

# Options of a page (its fields are checked as fields).
PAGE_OPTIONS: tuple[FieldOption, ...] = (
    FieldOption("key", OptionKind.TEXT),
    FieldOption("title", OptionKind.TEXTS),
    FieldOption("intro", OptionKind.TEXTS),
    FieldOption("show_if", OptionKind.CONDITION),
)

DEFAULT_LIMIT_MESSAGE = gettext_lazy("%(label)s: enter a number from %(min)d to %(max)d.")
