"""The translatable texts inside content JSON, each under a stable key, and how to change them.

A text is a ``{language code: text}`` object with a Japanese text (see :mod:`.languages`).
:func:`text_slots` finds every such object in a JSON value and names it by its path: dict keys,
and for list items the item's ``key`` or ``value`` (a form's page or field, a choice) or else its
position. The slots are the objects themselves, so :func:`set_translation` changes the JSON in
place. :func:`keep_other_languages` is what an editor that shows only some languages (ja/en)
uses so that saving never drops the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import languages

TextSlot = dict[str, str]


def is_text(value: Any) -> bool:
    """A ``{language: text}`` object with a Japanese text, keyed by known languages only."""
    return (
        isinstance(value, dict)
        and isinstance(value.get(languages.BASE_LANGUAGE), str)
        and bool(value[languages.BASE_LANGUAGE].strip())
        and all(k in languages.BY_CODE and isinstance(v, str) for k, v in value.items())
    )


def _segment(item: Any, index: int) -> str:
    if isinstance(item, Mapping):
        for name in ("key", "value"):
            value = item.get(name)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)
    return str(index)


def text_slots(
    value: Any, prefix: str = "", skip: Iterable[str] = ()
) -> Iterator[tuple[str, TextSlot]]:
    """(key, text object) of every text inside ``value``; keys of ``skip`` at the top level are
    not entered. List items are named by their ``key``/``value`` (by position when two share
    one), so a key survives reordering."""
    if is_text(value):
        yield prefix, value
        return
    skipped = set(skip)
    if isinstance(value, dict):
        for name, child in value.items():
            if name in skipped:
                continue
            yield from text_slots(child, f"{prefix}.{name}" if prefix else str(name))
    elif isinstance(value, list):
        segments = [_segment(item, i) for i, item in enumerate(value)]
        for index, child in enumerate(value):
            segment = segments[index] if segments.count(segments[index]) == 1 else str(index)
            yield from text_slots(child, f"{prefix}.{segment}" if prefix else segment)


def set_translation(slot: TextSlot, language: str, text: str) -> bool:
    """Put ``text`` in ``language`` (never Japanese, the source); True when it changed."""
    if language == languages.BASE_LANGUAGE or language not in languages.BY_CODE:
        raise ValueError(f"not a translation language: {language!r}")
    if slot.get(language) == text:
        return False
    slot[language] = text
    return True


class UnknownTextKey(KeyError):
    """A translation names a text the object does not have (``args[0]``: the keys)."""


def apply_translations(slots: Mapping[str, TextSlot],
                       changes: Mapping[str, Mapping[str, str]]) -> set[str]:
    """Put ``changes`` (key → {language: text}) into ``slots``; returns the keys that changed.
    An unknown key changes nothing: :class:`UnknownTextKey` is raised before any write."""
    unknown = sorted(set(changes) - set(slots))
    if unknown:
        raise UnknownTextKey(unknown)
    return {key for key, texts in changes.items() for language, text in texts.items()
            if set_translation(slots[key], language, text)}


def keep_other_languages(old: Any, typed: Mapping[str, str]) -> dict[str, str]:
    """The text object an editor saves: the languages it shows (``typed``; an empty text removes
    that language) over the languages it does not show, kept from ``old``. Without a Japanese
    text (typed empty) there is nothing to translate, so no other language is kept."""
    if languages.BASE_LANGUAGE in typed and not typed[languages.BASE_LANGUAGE]:
        old = None
    result: dict[str, str] = {}
    for code in languages.CONTENT_LANGUAGES:
        if code in typed:
            if typed[code]:
                result[code] = typed[code]
        elif isinstance(old, Mapping) and isinstance(old.get(code), str) and old[code]:
            result[code] = old[code]
    return result
