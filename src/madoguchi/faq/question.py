"""Turning a question typed in everyday words into search words, and asking the site search.

Residents type sentences (「児童手当はいつもらえますか」), while the site search
(``madoguchi.search``) matches every word it is given. Without a morphological analyser the
content words are found by script: runs of kanji, katakana and Latin letters are kept,
particles and other hiragana between them split the sentence (one kana between kanji, as in
引っ越し, is kept inside the word). The search is asked for all the words together, then for
each word alone, keeping the results that share the most words with the question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from madoguchi.search.folding import fold
from madoguchi.search.selectors import search

MAX_WORDS = 6
PARTICLES = frozenset("はがをにでとのへもやかよねな")
_VERB_ENDINGS = frozenset("るたてだす")  # 入る手続き: a verb, then a noun (not one word)
_JA_STOP = frozenset({
    "方法", "必要", "場合", "何", "時", "所", "場所", "教", "知", "今", "私", "自分", "何時",
    "何処", "件", "事", "物", "為", "等", "以外", "以上", "以下", "可能", "大丈夫",
})
_EN_STOP_WORDS = (
    "a an the i me my we our you your it its is are was were be been do does did can could "
    "should would will shall may might must have has had how what when where which who whom "
    "why there here to of in on at for from by with about into as and or but if not no yes "
    "get got want need please tell know this that these those some any much many than then "
    "so just also still"
)
_EN_STOP = frozenset(_EN_STOP_WORDS.split(" "))
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")


def _kind(ch: str) -> str:
    if "\u3041" <= ch <= "\u309f":
        return "hira"
    if "\u30a0" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f":
        return "kata"
    if ch in "々〆ヶヵ" or "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" \
            or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f":
        return "kanji"
    if ch.isascii() and ch.isalnum() or "\uff10" <= ch <= "\uff5a":
        return "latin"
    return "other"


def content_words(text: str) -> list[str]:
    """The words of ``text`` worth searching for, in order, without duplicates."""
    text = str(text)[:400]
    words: list[str] = []
    single: list[str] = []  # one kanji on its own: used only when nothing else is found
    # Japanese: split into runs by script.
    runs: list[tuple[str, str]] = []
    for ch in text:
        kind = _kind(ch)
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + ch)
        else:
            runs.append((kind, ch))
    current = ""
    for i, (kind, run) in enumerate(runs):
        if kind in ("kanji", "kata"):
            current += run
            continue
        next_kind = runs[i + 1][0] if i + 1 < len(runs) else ""
        if (kind == "hira" and len(run) == 1 and run not in PARTICLES
                and run not in _VERB_ENDINGS and current and next_kind == "kanji"):
            current += run  # 引っ越し, 申し込み: okurigana inside a word
            continue
        if current:
            # A single kanji followed by a particle is a noun (犬を, 税の); else a verb stem (取り).
            if len(current) >= 2 or (kind == "hira" and run[0] in PARTICLES):
                words.append(current)
            elif kind != "hira":
                single.append(current)
            current = ""
    if current:
        (words if len(current) >= 2 else single).append(current)
    words = [_strip_stop(w) for w in words]
    japanese = [w for w in words if w not in _JA_STOP]
    # Latin words (English questions, "LINE", "e-Tax").
    latin = [w.lower() for w in _WORD_RE.findall(text)]
    latin = [w for w in latin if w not in _EN_STOP and len(w) >= 2]
    ordered = list(dict.fromkeys([*japanese, *latin]))
    return (ordered or [w for w in single if w not in _JA_STOP])[:MAX_WORDS]


def _strip_stop(word: str) -> str:
    """「申し込み方法」 -> 「申し込み」: a trailing stop word is not part of the subject."""
    for stop in _JA_STOP:
        if len(stop) >= 2 and word.endswith(stop) and len(word) - len(stop) >= 2:
            return word[: -len(stop)]
    return word


@dataclass
class Scored:
    hit: Any
    words: int
    score: float


def find(query: str, *, kinds: Iterable[str], language: str, limit: int,
         primary: str | None = None, replace: Mapping[str, str] | None = None) -> list[Any]:
    """The best ``limit`` hits of ``kinds`` for a question in everyday words (best first).

    A question that is only search words (「印鑑登録」, 「児童手当 申請」) is searched as typed;
    a sentence is searched by its content words, all together first, then one by one. A step
    whose hits include none of kind ``primary`` (when given) does not stop the next step.
    ``replace`` maps folded words to what to search instead ("" to leave them out): words no
    document contains would only make the search of all words together find nothing.
    """
    kinds = list(kinds)
    words = content_words(query)
    if replace:
        words = list(dict.fromkeys(
            w for w in (replace.get(fold(word), word) for word in words) if w))
    found: list[Any] = []

    def enough(hits: list[Any]) -> bool:
        return bool(hits) and (primary is None or any(h.kind == primary for h in hits))

    steps: list[str] = []
    if not words or " ".join(words) == " ".join(query.lower().split()):
        steps.append(query)
    if len(words) >= 1 and " ".join(words) not in steps:
        steps.append(" ".join(words))
    for step in steps:
        hits = search(step, kinds=kinds, language=language, limit=limit)
        if enough(hits):
            return hits
        found = found or hits
    if len(words) < 2:
        return found
    merged: dict[tuple[str, str], Scored] = {}
    for word in words:
        for hit in search(word, kinds=kinds, language=language, limit=limit):
            seen = merged.get((hit.kind, hit.key))
            if seen is None:
                merged[(hit.kind, hit.key)] = Scored(hit, 1, hit.score)
            else:
                seen.words += 1
                seen.score += hit.score
    if not merged:
        return found
    best: dict[str, int] = {}
    for scored in merged.values():
        best[scored.hit.kind] = max(best.get(scored.hit.kind, 0), scored.words)
    # Per kind, the results sharing the most words with the question (or at least two).
    kept = [s for s in merged.values() if s.words == best[s.hit.kind] or s.words >= 2]
    kept.sort(key=lambda s: (-s.words, -s.score))
    return [s.hit for s in kept[:limit]]
