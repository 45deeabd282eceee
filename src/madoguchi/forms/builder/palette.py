"""The builder's palette, made from the entries the field types declare (``FieldType.palette``).

Each entry adds a field of its type with a starting spec; a type may offer several entries
(text: one line or several lines; choice: radio buttons, checkboxes or a drop-down list).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

from ..fields import FieldType, registry
from ..fields.options import PaletteEntry


class EntryRefused(KeyError):
    """No palette entry has this name."""


def entries() -> list[tuple[type[FieldType], PaletteEntry]]:
    """Every registered type's palette entries with their type, in palette order."""
    return registry.palette_entries()


class _Palette(Sequence[str]):
    """The names of the palette entries, read from the registry each time (a type registered
    later, e.g. by another app or a test, is listed too)."""

    def _names(self) -> list[str]:
        return [entry.name for _cls, entry in entries()]

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __repr__(self) -> str:
        return f"PALETTE{tuple(self._names())!r}"


# What a clerk can add, in the order shown.
PALETTE: Sequence[str] = _Palette()


def palette_labels() -> dict[str, str]:
    """The palette entries and their names in the active language."""
    return {entry.name: str(entry.label) for _cls, entry in entries()}


def palette_choices() -> list[tuple[str, str]]:
    return list(palette_labels().items())


def group_entries() -> list[tuple[str, str]]:
    """The entries a repeating group may ask for each row, with their names."""
    return [(entry.name, str(entry.label)) for _cls, entry in entries() if entry.in_group]


def find_entry(name: str) -> tuple[type[FieldType], PaletteEntry]:
    """The type and the entry called ``name`` (:class:`EntryRefused` when there is none)."""
    for cls, entry in entries():
        if entry.name == name:
            return cls, entry
    raise EntryRefused(name)


def type_label(field: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """The palette name of a field's kind, e.g. 「選択（ひとつ、ラジオボタン）」: the entry of its
    type whose ``match`` it meets, else the type's entry without ``match``, else the type."""
    labels = labels if labels is not None else palette_labels()
    kind = field.get("type", "")
    own = [entry for cls, entry in entries() if cls.type_name == kind]
    for entry in own:
        if entry.match and all(field.get(k) == v for k, v in entry.match.items()):
            return labels.get(entry.name, kind)
    plain = next((entry for entry in own if not entry.match), None)
    return labels.get(plain.name, kind) if plain is not None else kind
