"""Folding text for search: the index and the query go through the same ``fold``.

Folding ignores full/half width, hiragana/katakana (everything becomes hiragana), upper/lower
case, Latin accents (jūminhyō = juminhyo), common 異体字 (髙 = 高) and long vowel marks after
kana (コンピューター = コンピュータ). Runs of white space become one space; control characters
and variation selectors are dropped. ``fold_with_map`` also returns, for each folded character,
the index of the character it came from, so matches can be highlighted in the original text.
"""

from __future__ import annotations

import re
import unicodedata

from madoguchi.jp.names import ITAIJI_FOLD

_HALF_KANA = "｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ"
_FULL_KANA = (
    "。「」、・をぁぃぅぇぉゃゅょっー"
    "あいうえおかきくけこさしすせそたちつてと"
    "なにぬねのはひふへほまみむめもやゆよらりるれろわん"
)
_SIMPLE: dict[str, str] = dict(zip(_HALF_KANA, _FULL_KANA, strict=True))
_SIMPLE.update({chr(cp): chr(cp - 0xFEE0).lower() for cp in range(0xFF01, 0xFF5F)})  # full-width
_SIMPLE.update({chr(cp): chr(cp - 0x60) for cp in range(0x30A1, 0x30F7)})  # katakana -> hiragana
_SIMPLE["ヽ"] = "ゝ"
_SIMPLE["ヾ"] = "ゞ"
_SIMPLE.update(ITAIJI_FOLD)
_DAKUTEN = {"ﾞ": "\u3099", "\u3099": "\u3099", "゛": "\u3099",
            "ﾟ": "\u309a", "\u309a": "\u309a", "゜": "\u309a"}
# Marks written after kana for a long vowel, and the dashes people type instead of ー.
_LONG_VOWEL = frozenset("ーｰ―‐‑−－—～〜")


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def _fold_char(ch: str) -> str:
    """One character to at most one folded character ("" when it is dropped)."""
    mapped = _SIMPLE.get(ch)
    if mapped is not None:
        return mapped
    cp = ord(ch)
    if cp < 0x80:
        return ch.lower() if ch.isprintable() else ""
    if 0xC0 <= cp <= 0x24F:  # Latin with accents: the base letter
        base = unicodedata.normalize("NFD", ch)[0]
        lowered = base.lower()
        return lowered if len(lowered) == 1 else base
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return ""
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return ""
    lowered = ch.lower()
    return lowered if len(lowered) == 1 else ch


# Text made only of these characters folds one to one (no marks to join, no long vowels or
# spaces to drop): the common case, done with str.translate.
_ONE_TO_ONE = re.compile(
    "[^\u0021-\u007e\u3001-\u301b\u301d-\u3098\u309d-\u30fb\u30fd-\u30ff\u4e00-\u9fff"
    "\uff01-\uff0c\uff0e-\uff5d\uff5f-\uff6f\uff71-\uff9d ]|  |^ | $"
)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index in ``text`` it starts at."""
    if not _ONE_TO_ONE.search(text):
        return text.translate(_SAME_LENGTH), list(range(len(text)))
    return _slow_fold_with_map(text)


def _slow_fold_with_map(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            continue
        mark = _DAKUTEN.get(ch)
        if mark is not None and out:
            composed = unicodedata.normalize("NFC", out[-1] + mark)
            if len(composed) == 1:
                out[-1] = composed
                continue
            if mark == ch and ch in "\u3099\u309a":
                continue  # a stray combining mark: dropped
        if ch in _LONG_VOWEL and out and _is_kana(out[-1]):
            continue
        folded = _fold_char(ch)
        if folded:
            if folded in _LONG_VOWEL and out and _is_kana(out[-1]):
                continue
            out.append(folded)
            where.append(i)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def fold(text: str) -> str:
    """Folded form of ``text`` for indexing and querying (idempotent)."""
    return fold_with_map(text)[0]


def grams(text: str) -> str:
    """Distinct one- and two-character grams of folded ``text`` (letters and digits only),
    space separated: the index for queries too short for trigrams."""
    seen: dict[str, None] = {}
    previous = ""
    for ch in text:
        if ch.isalnum():
            seen[ch] = None
            if previous:
                seen[previous + ch] = None
            previous = ch
        else:
            previous = ""
    return " ".join(seen)


def is_gram_term(term: str) -> bool:
    """True when a one- or two-character term can be looked up in the gram index."""
    return 0 < len(term) <= 2 and all(ch.isalnum() for ch in term)


def _same_length_table() -> dict[int, str]:
    table = {ord(k): v for k, v in _SIMPLE.items() if len(v) == 1}
    table.update({cp: chr(cp).lower() for cp in range(0x41, 0x5B)})
    for cp in range(0xC0, 0x250):
        folded = _fold_char(chr(cp))
        if len(folded) == 1:
            table[cp] = folded
    for ch in "\t\n\r\x0b\x0c\u3000\u00a0":
        table[ord(ch)] = " "
    return table


_SAME_LENGTH = _same_length_table()


def fold_same_length(text: str) -> str:
    """A cheaper fold that keeps every character in place (width, kana, case, 異体字 only),
    for finding matches to highlight; ``fold_with_map`` handles the rest."""
    return text.translate(_SAME_LENGTH)
