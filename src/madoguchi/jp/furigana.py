"""ふりがな (ruby) over kanji, from the readings of a morphological analyser.

Readings come from SudachiPy with its core dictionary (split mode C keeps compounds such as
児童手当 whole). A city's own readings (place names such as 緑ヶ丘, procedure names the dictionary
reads wrongly) are passed in as ``overrides`` and win over the analyser: the longest override
that matches at a position is used.

A token's reading is aligned with its surface so the kana already written (送り仮名) get no
ruby: 申し込み → 申(もう)し込(こ)み. A kanji right after a number (14日, 3か月, 2人) is a
counter whose reading depends on the number; it gets no ruby, rather than a wrong one.

No Django here: :mod:`madoguchi.catalog.ruby` caches and applies this to pages.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sudachipy import Dictionary, SplitMode, Tokenizer

_KANJI = r"\u3005\u3006\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u30f6\u30f5"  # incl. 々 〆 ヶ ヵ
HAS_KANJI = re.compile(f"[{_KANJI}]")
_KANJI_RUN = re.compile(f"[{_KANJI}]+")
_DIGITS = re.compile(r"[0-9０-９〇一二三四五六七八九十百千]+$")
_KATA_TO_HIRA = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}


@dataclass(frozen=True)
class Segment:
    """A run of text, with the reading to show over it (``None``: no ruby)."""

    text: str
    reading: str | None = None


def to_hiragana(s: str) -> str:
    """Katakana to hiragana (ー and other marks are kept)."""
    return s.translate(_KATA_TO_HIRA)


@functools.cache
def _tokenizer() -> Tokenizer:
    return Dictionary(dict="core").tokenizer(mode=SplitMode.C, fields={"reading_form"})


def align(surface: str, reading: str) -> list[Segment]:
    """Split a word into kanji runs with their part of the reading and kana without ruby.

    >>> align("申し込み", "もうしこみ")
    [Segment(text='申', reading='もう'), Segment(text='し', reading=None), ...]

    When the kana of the surface cannot be found in the reading in order, the whole word gets
    the whole reading.
    """
    reading = to_hiragana(reading)
    parts = re.split(f"([{_KANJI}]+)", surface)
    pattern = "".join(
        "(.+?)" if _KANJI_RUN.fullmatch(part) else re.escape(to_hiragana(part))
        for part in parts
        if part
    )
    match = re.fullmatch(pattern, reading)
    if match is None:
        return [Segment(surface, reading)]
    readings = iter(match.groups())
    return [
        Segment(part, next(readings)) if _KANJI_RUN.fullmatch(part) else Segment(part)
        for part in parts
        if part
    ]


def segments(text: str, overrides: Mapping[str, str] | None = None) -> list[Segment]:
    """Split ``text`` into segments; kanji get their reading in hiragana."""
    overrides = overrides or {}
    out: list[Segment] = []
    for chunk, reading in _split_by_overrides(text, overrides):
        if reading is not None:
            out.extend(align(chunk, reading))
        elif HAS_KANJI.search(chunk):
            out.extend(_analyse(chunk))
        else:
            out.append(Segment(chunk))
    return _merge_plain(out)


def _split_by_overrides(text: str, overrides: Mapping[str, str]) -> list[tuple[str, str | None]]:
    if not overrides:
        return [(text, None)]
    words = sorted((w for w in overrides if w), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words))
    chunks: list[tuple[str, str | None]] = []
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            chunks.append((text[at : match.start()], None))
        chunks.append((match.group(), to_hiragana(overrides[match.group()])))
        at = match.end()
    if at < len(text):
        chunks.append((text[at:], None))
    return chunks


def _analyse(chunk: str) -> list[Segment]:
    out: list[Segment] = []
    previous = ""
    for morpheme in _tokenizer().tokenize(chunk):
        surface = morpheme.surface()
        reading = morpheme.reading_form()
        if not HAS_KANJI.search(surface) or not reading or reading == surface:
            out.append(Segment(surface))
        elif _DIGITS.search(previous) and len(surface) == 1:
            out.append(Segment(surface))  # a counter after a number: 14日, 2人
        else:
            out.extend(align(surface, reading))
        previous = surface
    return out


def _merge_plain(parts: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for part in parts:
        if part.reading is None and merged and merged[-1].reading is None:
            merged[-1] = Segment(merged[-1].text + part.text)
        else:
            merged.append(part)
    return merged


_HIDDEN = ' aria-hidden="true"'
_RP_OPEN = f"<rp{_HIDDEN}>(</rp>"
_RP_CLOSE = f"<rp{_HIDDEN}>)</rp>"


def ruby_html(text: str, overrides: Mapping[str, str] | None = None) -> str:
    """``text`` as escaped HTML with ``<ruby>`` over its kanji.

    The reading is in ``<rt>`` between ``<rp>`` brackets (shown where ruby is not supported).
    Both are hidden from screen readers, which read the kanji themselves: the word is read
    once, not twice.
    """
    if not HAS_KANJI.search(text):
        return html.escape(text, quote=False)
    return "".join(
        f"<ruby>{html.escape(s.text, quote=False)}{_RP_OPEN}<rt{_HIDDEN}>"
        f"{html.escape(s.reading)}</rt>{_RP_CLOSE}</ruby>"
        if s.reading
        else html.escape(s.text, quote=False)
        for s in segments(text, overrides)
    )
