"""How well a question fits a document, and which department a text is for.

A question is reduced to its content words (``question.content_words``: particles and the
question's boilerplate, such as ありますか, どこ, ですか, are dropped). Each word weighs as in
BM25: ``ln(1 + (N - n + 0.5) / (n + 0.5))`` over the N documents the chat searches (FAQ entries,
procedures, life events), n of which contain the word or one of its synonyms. A word that few
documents use, or none, weighs most: 「電気自動車」 and 「充電器」 outweigh 「駐車場」.

Words that say what the resident wants to know about a subject rather than the subject (期限,
費用, 申請, 手続き, 予約 ... in ``ASPECTS``) weigh ``ASPECT`` times as much, and are split off the
end of a compound (申請期限 → 申請 + 期限, 検診予約 → 検診 + 予約): a FAQ entry that happens to
list 「申請期限」 among its keywords must not answer every question about a deadline. Words used
as verbs (飼い始めました) weigh as little: they say what the resident does, not what about.

A document's relevance is the share of the question's weight it covers: a word in its question
or title or keywords counts fully, in its answer or body ``BODY``. A compound no document
contains is represented by its head, the longest ending that documents do contain (Japanese
compounds are right-headed: 乳幼児健診 is a kind of 健診, 学童保育 of 保育), for ``PARTIAL``
credit (``PARTIAL_DEPARTMENT`` for a department). The chat answers only with documents at or
above ``ANSWER_THRESHOLD``; the thresholds were chosen on ``bench/data/faq_questions.json``.

A department is measured the same way over all its documents together; a text goes to the
department that covers most of it when that is at least ``ROUTE_THRESHOLD``, else to no
department in particular (the caller's general counter).

The counts come from the search index (``search.selectors.word_statistics``: exact substring
matches on folded text) and documents are checked on that same folded text, so SQLite and
PostgreSQL reach the same decisions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from madoguchi.search.folding import fold
from madoguchi.search.selectors import word_statistics

from .question import PARTICLES, content_words

ANSWER_THRESHOLD = 0.5
ROUTE_THRESHOLD = 0.5
BODY = 0.5
PARTIAL = 0.25  # a document that contains only the head of an unknown compound
PARTIAL_DEPARTMENT = 0.5  # a department whose documents do (学童保育 -> 保育: 子育て支援課)
ASPECT = 0.3
MIN_HEAD = 2  # the shortest ending that stands for an unknown compound
MAX_FALLBACK_LENGTH = 12  # a question without content words is taken whole when this short
ASPECTS = frozenset({
    # when
    "期限", "締切", "締め切り", "期間", "時間", "日程", "日時", "時期",
    # how much
    "費用", "料金", "手数料", "無料", "有料", "金額", "値段",
    # how
    "申請", "申込", "申込み", "申し込", "申し込み", "手続", "手続き", "届出", "届け出", "提出",
    "書類", "必要書類", "持ち物", "受付", "予約", "相談", "問い合わせ", "問合せ", "連絡",
    "対象", "条件",
})
_NOT_WORD = re.compile(r"[\W_]+")


def _split_aspects(word: str) -> list[str]:
    """「申請期限」 -> [申請, 期限]: aspect words split off the end of a compound."""
    out: list[str] = []
    while True:
        ending = max((a for a in ASPECTS if word.endswith(a) and len(word) - len(a) >= 2),
                     key=len, default="")
        if not ending:
            break
        out.insert(0, ending)
        word = word[: -len(ending)]
    return [word, *out]


def question_words(text: str) -> list[str]:
    """The words a question is measured by: its content words with aspects split off; when it
    has none (「がん」, 「けんしん」: all in hiragana) the whole question when it is short."""
    words = [part for word in content_words(text) for part in _split_aspects(word)]
    if words:
        return list(dict.fromkeys(words))
    whole = _NOT_WORD.sub("", str(text)[:200])
    return [whole] if 0 < len(whole) <= MAX_FALLBACK_LENGTH else []


def predicates(text: str) -> set[str]:
    """The content words of ``text`` used as verbs: followed by a conjugation rather than a
    particle (「犬を飼い始めました」: 飼い始), the last part when aspects are split off. They say
    what the resident does, not what about, and weigh ``ASPECT`` times as much."""
    text = str(text)[:400]
    found = set()
    for word in content_words(text):
        at = text.find(word)
        after = text[at + len(word):at + len(word) + 1] if at >= 0 else ""
        if after and "\u3041" <= after <= "\u309f" and after not in PARTICLES:
            found.add(_split_aspects(word)[-1])
    return found


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "々"


def _endings(word: str) -> list[str]:
    """The proper endings of a Japanese compound that are kanji words, longest first
    (電気自動車 -> 気自動車, 自動車, 動車). The end of a katakana word (カラス -> ラス) is no
    head."""
    return [word[i:] for i in range(1, len(word) - MIN_HEAD + 1)
            if all(_is_kanji(ch) for ch in word[i:])]


@dataclass
class Word:
    """A question word, its weight and what the search index says about it; ``stand_in`` is
    the head that stands for a compound no document contains (its alternatives and counts)."""

    text: str
    alternatives: tuple[str, ...]
    weight: float
    head: dict[int | None, int]
    anywhere: dict[int | None, int]
    stand_in: tuple[str, ...] = ()
    stand_in_anywhere: dict[int | None, int] | None = None

    def credit(self, head: str, body: str) -> float:
        """What a document with these folded texts is credited for the word (0 to 1)."""
        if any(a in head for a in self.alternatives):
            return 1.0
        if any(a in body for a in self.alternatives):
            return BODY
        if any(a in head or a in body for a in self.stand_in):
            return PARTIAL
        return 0.0

    def department_credit(self, department: int) -> float:
        """The same for all the documents of a department together."""
        if self.head.get(department):
            return 1.0
        if self.anywhere.get(department):
            return BODY
        if self.stand_in_anywhere and self.stand_in_anywhere.get(department):
            return PARTIAL_DEPARTMENT
        return 0.0

    @property
    def best_credit(self) -> float:
        """The most any one document can be credited for the word."""
        if self.head:
            return 1.0
        if self.anywhere:
            return BODY
        return PARTIAL if self.stand_in_anywhere else 0.0


@dataclass
class Analysis:
    """A question measured against the search index; see the module docstring."""

    words: list[Word]
    documents: int

    @property
    def total(self) -> float:
        return sum(w.weight for w in self.words)

    def relevance(self, head: str, body: str) -> float:
        """The share of the question a document covers (0 to 1), from its folded texts."""
        total = self.total
        if not total:
            return 0.0
        return sum(w.weight * w.credit(head, body) for w in self.words) / total

    def ceiling(self) -> float:
        """The most relevance any single document can have (an upper bound)."""
        total = self.total
        return sum(w.weight * w.best_credit for w in self.words) / total if total else 0.0

    def replacements(self) -> dict[str, str]:
        """Words no document contains, with the head that stands for them ("" for none): what
        a search for the question can leave out."""
        return {w.text: (w.stand_in[0] if w.stand_in else "") for w in self.words
                if not w.anywhere}

    def departments(self) -> list[tuple[int, float, float]]:
        """(department id, share of the question its documents cover, strength), best first.

        Strength breaks ties: the weight of each word times the log of the number of the
        department's documents that contain it (in titles and keywords counting twice)."""
        total = self.total
        ids: set[int] = set()
        for word in self.words:
            ids.update(d for d in word.anywhere if d is not None)
            ids.update(d for d in (word.stand_in_anywhere or {}) if d is not None)
        if not total or not ids:
            return []
        out = []
        for department in ids:
            share = sum(w.weight * w.department_credit(department) for w in self.words) / total
            strength = sum(w.weight * math.log1p(w.head.get(department, 0)
                                                 + w.anywhere.get(department, 0))
                           for w in self.words)
            out.append((department, share, strength))
        out.sort(key=lambda row: (-row[1], -row[2], row[0]))
        return out

    def department(self) -> int | None:
        """The department the question is for, or ``None`` when none fits well enough."""
        ranked = self.departments()
        if ranked and ranked[0][1] >= ROUTE_THRESHOLD:
            return ranked[0][0]
        return None


def _weight(documents: int, containing: int) -> float:
    return math.log(1 + (documents - containing + 0.5) / (containing + 0.5))


def analyse(text: str, *, kinds: Iterable[str]) -> Analysis:
    """Measure ``text`` against the indexed documents of ``kinds`` (two queries, four when a
    compound is unknown)."""
    kinds = list(kinds)
    total, statistics = word_statistics(question_words(text), kinds=kinds)
    minor = ASPECTS | {fold(w) for w in predicates(text)}
    words = []
    for s in statistics:
        weight = _weight(total, s.documents) * (ASPECT if s.word in minor else 1.0)
        words.append(Word(text=s.word, alternatives=s.alternatives, weight=weight,
                          head=s.head, anywhere=s.anywhere))
    endings = {w.text: _endings(w.text) for w in words if not w.anywhere}
    wanted = [e for found in endings.values() for e in found]
    if wanted and total:
        _total, ending_statistics = word_statistics(wanted, kinds=kinds)
        known = {s.word: s for s in ending_statistics if s.anywhere}
        for word in words:
            head = next((known[e] for e in endings.get(word.text, []) if e in known), None)
            if head is not None:
                word.stand_in, word.stand_in_anywhere = head.alternatives, head.anywhere
    return Analysis(words=words, documents=total)
