"""Reads of the search index: ``search`` ranks documents for a query, in any script.

A query is folded (``folding.fold``) and split into words; every word must match (in the title,
the keywords or the body), each word also matching its synonyms. The backend-specific part is
``_candidates_sql``: on SQLite FTS5 (trigram for words of three or more characters, a gram
table for shorter ones), on PostgreSQL pg_trgm and a GIN index of grams. The score is computed
in SQL the same way on both: title over keywords over body, exact over prefix over partial,
the words as typed over their synonyms, a bonus when the whole query appears as a phrase; then
``boost``, and shorter titles first. Entries matching in their bodies only come last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from madoguchi.core import search_sources
from madoguchi.core.i18n import localized

from .folding import fold, fold_same_length, fold_with_map, is_gram_term
from .models import EntryContent

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MAX_ALTERNATIVES = 6
MAX_SYNONYM_SUBSTRING = 20
MAX_LIMIT = 100
SYNONYM_WEIGHT = 0.8
SNIPPET_LENGTH = 120
SNIPPET_BEFORE = 30


@dataclass(frozen=True)
class Hit:
    """One result: ``snippet`` and ``title_html`` are escaped HTML with ``<mark>`` around the
    matches."""

    kind: str
    key: str
    title: str
    snippet: SafeString
    url: str
    score: float
    title_html: SafeString = field(default=mark_safe(""))
    department_id: int | None = None

    @property
    def kind_label(self) -> str:
        return search_sources.kind_label(self.kind)


@dataclass(frozen=True)
class Term:
    """A query word and what it may also be written as; ``alternatives[0]`` is the word."""

    alternatives: tuple[str, ...]

    @property
    def word(self) -> str:
        return self.alternatives[0]


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]
    phrase: str = ""  # the whole query when it has several words
    stopwords: tuple[str, ...] = ()  # common words left out of the terms, still highlighted

    @property
    def needles(self) -> list[str]:
        found = [a for t in self.terms for a in t.alternatives]
        return [*([self.phrase] if self.phrase else []), *found, *self.stopwords]


def clean_query(query: str) -> str:
    """What is left of a query after folding, cut to ``MAX_QUERY_LENGTH`` characters."""
    return fold(str(query)[: MAX_QUERY_LENGTH * 2])[:MAX_QUERY_LENGTH].strip()


def _synonyms(words: list[str]) -> dict[str, list[list[str]]]:
    """For each synonym term found in the words: the term lists of its groups."""
    candidates: set[str] = set()
    for word in words:
        for start in range(len(word)):
            for end in range(start + 1, min(len(word), start + MAX_SYNONYM_SUBSTRING) + 1):
                candidates.add(word[start:end])
    if not candidates:
        return {}
    candidates_list = sorted(candidates)
    placeholders = ", ".join(["%s"] * len(candidates_list))
    sql = (
        "SELECT a.term, b.term FROM search_synonymterm a "  # noqa: S608 - placeholders only
        "JOIN search_synonymterm b ON b.group_id = a.group_id "
        f"WHERE a.term IN ({placeholders}) ORDER BY a.group_id, b.id"
    )
    groups: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, candidates_list)
        for term, other in cursor.fetchall():
            groups.setdefault(term, []).append(other)
    return {term: [others] for term, others in groups.items()}


# English words found in nearly every English text: a query of several words does not require
# them (they would only make "moving in" scan every entry that contains "in").
STOPWORDS = frozenset({"a", "an", "and", "at", "by", "do", "for", "from", "how", "i", "in",
                       "is", "my", "of", "on", "or", "the", "to", "what", "when", "with"})


def parse_query(query: str) -> Query | None:
    """Fold and split a query and expand its words with the synonym groups."""
    cleaned = clean_query(query)
    words = list(dict.fromkeys(w for w in cleaned.split(" ") if w))[:MAX_WORDS]
    if not words:
        return None
    phrase = " ".join(words) if len(words) > 1 else ""
    synonyms = _synonyms([*words, phrase] if phrase else words)
    if phrase and phrase in synonyms:  # the whole query is one synonym term ("move in")
        words, phrase = [phrase], ""
    kept = [w for w in words if w not in STOPWORDS] or words[:1]
    stopwords = tuple(w for w in words if w not in kept)
    terms = [_term(word, synonyms) for word in kept]
    return Query(terms=tuple(terms), phrase=phrase, stopwords=stopwords)


def _term(word: str, synonyms: dict[str, list[list[str]]]) -> Term:
    """A folded word and its alternatives: the longest synonym term inside the word is
    replaced by the others of its group."""
    alternatives = [word]
    inside = sorted((t for t in synonyms if t in word), key=lambda t: (-len(t), word.find(t)))
    if inside:
        term = inside[0]
        for group in synonyms[term]:
            for other in group:
                alternative = word.replace(term, other)
                if alternative not in alternatives:
                    alternatives.append(alternative)
    return Term(tuple(alternatives[:MAX_ALTERNATIVES]))


# --- SQL ----------------------------------------------------------------------------------


def _fts_string(alternatives: Iterable[str], column: str = "") -> str:
    """An FTS5 query matching any of the strings (quoted: no FTS syntax gets through)."""
    phrases = " OR ".join('"' + a.replace('"', '""') + '"' for a in alternatives)
    return f"{column} : ({phrases})" if column else phrases


def _like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_IDS = "SELECT c.entry_id FROM search_entrycontent c"


def _id_set_sql(vendor: str, term: Term, *, head_only: bool = False) -> tuple[str, list]:
    """A SELECT of the ids of the entries matching one of the term's alternatives (in the
    titles or keywords only, with ``head_only``): one index look-up per part, UNION ALL.
    Only column names and placeholders are put in the SQL; values are parameters."""
    long = [a for a in term.alternatives if len(a) >= 3]
    short = [a for a in term.alternatives if is_gram_term(a)]
    other = [a for a in term.alternatives if len(a) < 3 and not is_gram_term(a)]
    heads, bodies = ["c.head_f"], ["c.text_f"]
    columns = heads if head_only else heads + bodies
    parts: list[str] = []
    params: list = []
    if vendor == "sqlite":
        if long:
            parts.append("SELECT rowid FROM search_entry_tri WHERE search_entry_tri MATCH %s")
            params.append(_fts_string(long, "head_f" if head_only else ""))
        if short:
            parts.append("SELECT rowid FROM search_entry_gram WHERE search_entry_gram MATCH %s")
            params.append(_fts_string(short, "head_grams" if head_only else ""))
        for alternative in other:
            for column in columns:
                parts.append(f"{_IDS} WHERE instr({column}, %s) > 0")
                params.append(alternative)
    else:
        # PostgreSQL: LIKE '%…%' uses the pg_trgm GIN indexes, && the GIN indexes of grams.
        # Any other database runs the same SQL as scans.
        for alternative in [*long, *other] if vendor == "postgresql" else term.alternatives:
            for column in columns:
                parts.append(f"{_IDS} WHERE {column} LIKE %s")
                params.append(_like_pattern(alternative))
        if short and vendor == "postgresql":
            for column in ["c.head_grams"] if head_only else ["c.head_grams", "c.grams"]:
                parts.append(f"{_IDS} WHERE search_grams({column}) && %s::text[]")
                params.append(short)
    return " UNION ALL ".join(parts), params


def _candidates_sql(vendor: str, term: Term, *, head_only: bool = False) -> tuple[str, list]:
    """The same as a condition on ``search_entry e``."""
    sql, params = _id_set_sql(vendor, term, head_only=head_only)
    return f"e.id IN ({sql})", params


def _score_sql(vendor: str, query: Query) -> tuple[str, list]:
    position = "instr" if vendor == "sqlite" else "strpos"
    greatest = "max" if vendor == "sqlite" else "GREATEST"

    def field_score(alternative: str) -> tuple[str, list]:
        # Containment is tested first: most candidates match in the body only and cost two
        # calls; exact (between newlines) and prefix matches are tested only for the others.
        sql = (
            f"(CASE WHEN {position}(e.title_f, %s) = 0 THEN 0 "
            f"WHEN {position}(e.title_f, %s) > 0 THEN 100 "
            f"WHEN {position}(e.title_f, %s) > 0 THEN 80 ELSE 60 END"
            f" + CASE WHEN {position}(e.keywords_f, %s) = 0 THEN 0 "
            f"WHEN {position}(e.keywords_f, %s) > 0 THEN 40 ELSE 25 END)"
        )
        return sql, [alternative, f"\n{alternative}\n", f"\n{alternative}", alternative,
                     f"\n{alternative}\n"]

    parts: list[str] = []
    params: list = []
    for term in query.terms:
        scores = ["10"]  # it matched somewhere, at least in the body
        for i, alternative in enumerate(term.alternatives):
            sql, p = field_score(alternative)
            scores.append(sql if i == 0 else f"{SYNONYM_WEIGHT} * {sql}")
            params += p
        parts.append(f"{greatest}({', '.join(scores)})")
    if query.phrase:
        parts.append(f"(CASE WHEN {position}(e.title_f, %s) > 0 THEN 50 ELSE 0 END"
                     f" + CASE WHEN {position}(e.keywords_f, %s) > 0 THEN 30 ELSE 0 END)")
        params += [query.phrase, query.phrase]
    return "(" + " + ".join(parts) + ") * e.boost", params


def _rank(query: Query, kinds: list[str] | None, limit: int) -> list[tuple[int, float]]:
    """(entry id, score) of the best ``limit`` entries, best first.

    Entries where some word matches in the titles or keywords are scored and ranked in SQL;
    entries matching in the body only all score the same (10 a word, times ``boost``) and come
    after them, ordered by boost and title length, so they are never scored one by one: for a
    common word (申請) that is most of the index.
    """
    vendor = connection.vendor
    sets: list[tuple[str, list]] = [_id_set_sql(vendor, t) for t in query.terms]
    head_parts = [_id_set_sql(vendor, t, head_only=True) for t in query.terms]
    head = (" UNION ALL ".join(sql for sql, _p in head_parts),
            [p for _sql, params in head_parts for p in params])
    with_sql, with_params = "", []
    if vendor == "postgresql":
        # Each set is planned alone (an index scan), then joined: PostgreSQL's estimates for
        # these conditions are too rough to plan them well inside one query.
        ctes = [f"m{i} AS MATERIALIZED ({sql})" for i, (sql, _p) in enumerate(sets)]
        ctes.append(f"h AS MATERIALIZED ({head[0]})")
        with_sql = "WITH " + ", ".join(ctes) + " "
        with_params = [p for _sql, params in [*sets, head] for p in params]
        conditions = [f"e.id IN (SELECT entry_id FROM m{i})" for i in range(len(sets))]  # noqa: S608
        in_head, params = "e.id IN (SELECT entry_id FROM h)", []
    else:
        conditions = [f"e.id IN ({sql})" for sql, _p in sets]
        params = [p for _sql, ps in sets for p in ps]
        in_head = f"e.id IN ({head[0]})"
    if kinds is not None:
        conditions.append("e.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")")
        params += kinds
    where = " AND ".join(conditions)
    head_params = head[1] if vendor != "postgresql" else []
    score_sql, score_params = _score_sql(vendor, query)
    ranked_sql = (
        f"{with_sql}SELECT e.id, {score_sql} AS score FROM search_entry e "  # noqa: S608
        f"WHERE {where} AND {in_head} ORDER BY score DESC, e.title_length, e.id LIMIT %s"
    )
    ranked_params = [*with_params, *score_params, *params, *head_params, limit]
    if vendor == "postgresql":
        # The scored entries are those of the head set (a few hundred at most, usually): check
        # the other words on their rows (strpos) rather than building every word's full set
        # (for 手続き, 7,000 rows re-checked with LIKE). One word: the head set is the answer.
        checks: list[str] = []
        check_params: list = []
        if len(query.terms) > 1:
            for term in query.terms:
                checks.append("(" + " OR ".join(
                    f"strpos(c.{column}, %s) > 0"
                    for _a in term.alternatives for column in ("head_f", "text_f")) + ")")
                check_params += [a for a in term.alternatives for _c in (1, 2)]
        if kinds is not None:
            checks.append("e.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")")
            check_params += kinds
        ranked_sql = (
            f"WITH h AS MATERIALIZED ({head[0]}) "  # noqa: S608
            f"SELECT e.id, {score_sql} AS score FROM search_entry e "
            f"JOIN search_entrycontent c ON c.entry_id = e.id "
            f"WHERE e.id IN (SELECT entry_id FROM h)"
            + "".join(f" AND {check}" for check in checks)
            + " ORDER BY score DESC, e.title_length, e.id LIMIT %s"
        )
        ranked_params = [*head[1], *score_params, *check_params, limit]
    base = 10 * len(query.terms)
    rest_sql = (
        f"{with_sql}SELECT e.id, {base} * e.boost FROM search_entry e "  # noqa: S608
        f"WHERE {where} AND NOT {in_head} ORDER BY e.boost DESC, e.title_length, e.id LIMIT %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            # Worker processes and JIT compilation cost more than these small queries.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
        cursor.execute(ranked_sql, ranked_params)
        rows = [(row[0], float(row[1])) for row in cursor.fetchall()]
        if len(rows) < limit:
            if vendor == "postgresql":
                # With no row estimates for the sets, a nested loop over them goes quadratic.
                cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(rest_sql, [*with_params, *params, *head_params, limit - len(rows)])
            rows += [(row[0], float(row[1])) for row in cursor.fetchall()]
    return rows


# --- word statistics, for callers that measure relevance ------------------------------------

MAX_STATISTICS_WORDS = 24


@dataclass(frozen=True)
class WordStatistics:
    """How the documents of some kinds use one folded word (or one of its synonyms): per
    department (``None`` for documents of no department), how many have it in their titles or
    keywords (``head``) and how many have it anywhere (``anywhere``, which includes ``head``).
    The counts are exact substring matches, so both backends give the same numbers."""

    word: str
    alternatives: tuple[str, ...]
    head: dict[int | None, int]
    anywhere: dict[int | None, int]

    @property
    def documents(self) -> int:
        """The number of documents containing the word anywhere."""
        return sum(self.anywhere.values())


def _statistics_sql(vendor: str, terms: list[Term], kinds: list[str]) -> tuple[str, list]:
    """One query giving (word index, department, head count, anywhere count) rows.

    SQLite looks each word up in its FTS5 tables. On PostgreSQL, building each word's full set
    of matching rows costs a scan per word and column (the index does not narrow common words
    much), so one pass over the documents of ``kinds`` tests every word on each row (strpos is
    the same exact substring test as LIKE and the gram arrays)."""
    kind_sql = "e.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")"
    if vendor != "sqlite":
        position = "strpos" if vendor == "postgresql" else "instr"
        columns: list[str] = []
        params: list = []
        for term in terms:
            head = " OR ".join(f"{position}(c.head_f, %s) > 0" for _a in term.alternatives)
            body = " OR ".join(f"{position}(c.text_f, %s) > 0" for _a in term.alternatives)
            columns += [f"SUM(CASE WHEN {head} THEN 1 ELSE 0 END)",
                        f"SUM(CASE WHEN {head} OR {body} THEN 1 ELSE 0 END)"]
            params += [*term.alternatives, *term.alternatives, *term.alternatives]
        columns.append("COUNT(*)")
        sql = (f"SELECT e.department_id, {', '.join(columns)} "  # noqa: S608 - placeholders
               f"FROM search_entry e JOIN search_entrycontent c ON c.entry_id = e.id "
               f"WHERE {kind_sql} GROUP BY e.department_id")
        return sql, [*params, *kinds]
    selects: list[str] = []
    params = []
    for i, term in enumerate(terms):
        any_sql, any_params = _id_set_sql(vendor, term)
        head_sql, head_params = _id_set_sql(vendor, term, head_only=True)
        selects.append(
            f"SELECT {int(i)}, e.department_id, "  # noqa: S608 - placeholders only
            f"SUM(CASE WHEN e.id IN ({head_sql}) THEN 1 ELSE 0 END), COUNT(*) "
            f"FROM search_entry e WHERE e.id IN ({any_sql}) AND {kind_sql} "
            f"GROUP BY e.department_id"
        )
        params += [*head_params, *any_params, *kinds]
    return " UNION ALL ".join(selects), params


def word_statistics(
    words: Iterable[str], *, kinds: Iterable[str]
) -> tuple[int, list[WordStatistics]]:
    """The number of documents of ``kinds``, and for each word (folded, expanded with its
    synonyms, without duplicates, in the order given) how those documents use it.

    One or two queries whatever the number of words (at most ``MAX_STATISTICS_WORDS``); any
    input is safe, values reach the database as parameters only.
    """
    kind_list = [str(k) for k in kinds]
    folded = list(dict.fromkeys(
        w for w in (clean_query(str(word)) for word in words) if w))[:MAX_STATISTICS_WORDS]
    if not kind_list:
        return 0, []
    vendor = connection.vendor
    synonyms = _synonyms(folded) if folded else {}
    terms = [_term(word, synonyms) for word in folded]
    head: list[dict[int | None, int]] = [{} for _t in terms]
    anywhere: list[dict[int | None, int]] = [{} for _t in terms]
    rows: list[tuple[int, int | None, int, int]] = []
    sql, params = _statistics_sql(vendor, terms, kind_list)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(
                "SELECT COUNT(*) FROM search_entry WHERE kind IN ("  # noqa: S608
                + ", ".join(["%s"] * len(kind_list)) + ")", kind_list)
            total = int(cursor.fetchone()[0])
            if terms and total:
                cursor.execute(sql, params)
                rows = [(int(r[0]), r[1], int(r[2] or 0), int(r[3] or 0))
                        for r in cursor.fetchall()]
        else:  # one pass: the counts of every word and the number of documents
            cursor.execute(sql, params)
            total = 0
            for department_id, *counts in cursor.fetchall():
                total += int(counts[-1])
                rows += [(i, department_id, int(counts[2 * i] or 0),
                          int(counts[2 * i + 1] or 0)) for i in range(len(terms))]
    for index, department_id, in_head, count in rows:
        department = None if department_id is None else int(department_id)
        if in_head:
            head[index][department] = in_head
        if count:
            anywhere[index][department] = count
    return total, [
        WordStatistics(word=t.word, alternatives=t.alternatives, head=head[i],
                       anywhere=anywhere[i])
        for i, t in enumerate(terms)
    ]


def folded_texts(documents: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """The folded head (titles and keywords) and folded body text of indexed documents, by
    (kind, key): what ``WordStatistics`` counted, for checking single documents."""
    wanted = {(str(kind), str(key)) for kind, key in documents}
    if not wanted:
        return {}
    kinds = sorted({k for k, _key in wanted})
    keys = sorted({key for _k, key in wanted})
    sql = (
        "SELECT e.kind, e.key, c.head_f, c.text_f FROM search_entry e "  # noqa: S608
        "JOIN search_entrycontent c ON c.entry_id = e.id "
        f"WHERE e.kind IN ({', '.join(['%s'] * len(kinds))}) "
        f"AND e.key IN ({', '.join(['%s'] * len(keys))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*kinds, *keys])
        rows = cursor.fetchall()
    return {(kind, key): (head_f, text_f) for kind, key, head_f, text_f in rows
            if (kind, key) in wanted}


# --- highlighting -----------------------------------------------------------------------------


_LONG_MARKS = "ーｰ―‐‑−－—～〜"
_JOINING_MARKS = re.compile("[ﾞﾟ\u3099\u309a゛゜]")


def _needle_pattern(needle: str) -> str:
    """A regular expression finding ``needle`` (folded) in text folded in place: long vowel
    marks may follow kana, spaces may be runs, Latin words match where a word starts."""
    out = ["(?<![a-z0-9])"] if needle[0].isascii() and needle[0].isalnum() else []
    for ch in needle:
        if ch == " ":
            out.append(" +")
            continue
        out.append(re.escape(ch))
        if "\u3041" <= ch <= "\u309f":
            out.append(f"[{_LONG_MARKS}]*")
    return "".join(out)


def matcher(needles: Iterable[str]) -> re.Pattern[str] | None:
    """One compiled pattern for all the needles, longest first (None when there are none)."""
    ordered = sorted({n for n in needles if n}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("|".join(_needle_pattern(n) for n in ordered))


def _spans(text: str, pattern: re.Pattern[str] | None, needles: list[str],
           start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Where the needles occur in ``text[start:end]``, as (start, end) indices of ``text``."""
    if pattern is None:
        return []
    end = len(text) if end is None else end
    if _JOINING_MARKS.search(text, start, end):  # ｶﾞ or NFD: fold fully and map back
        window = text[start:end]
        folded, where = fold_with_map(window)
        found = []
        for m in pattern.finditer(folded):
            if m.end() > m.start():
                stop = where[m.end()] if m.end() < len(where) else len(window)
                found.append((start + where[m.start()], start + stop))
        return found
    same = fold_same_length(text[start:end])
    lowered = same.lower()
    if len(lowered) == len(same):
        same = lowered
    return [(start + m.start(), start + m.end()) for m in pattern.finditer(same)
            if m.end() > m.start()][:200]


def highlight(text: str, needles: list[str], *, length: int | None = None,
              pattern: re.Pattern[str] | None = None) -> SafeString:
    """``text`` escaped, with ``<mark>`` around the needles; with ``length``, only a window of
    about that many characters around the first match (… where cut)."""
    if pattern is None:
        pattern = matcher(needles)
    start, end = 0, len(text)
    if length is not None and len(text) > length:
        first = _spans(text, pattern, needles, 0, min(len(text), 5000))
        position = first[0][0] if first else 0
        start = max(0, min(position - SNIPPET_BEFORE, len(text) - length))
        end = start + length
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in _spans(text, pattern, needles, start, end):
        if span_start < cursor:
            continue
        out.append(escape(text[cursor:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def _in_language(value: object, language: str) -> str:
    """The text in ``language`` (falling back to Japanese), on one line."""
    return " ".join(localized(value, language).split())


# --- the public read ------------------------------------------------------------------------


def search(
    query: str, *, kinds: Iterable[str] | None = None, language: str = "ja", limit: int = 20
) -> list[Hit]:
    """The best ``limit`` documents for ``query``, best first; [] for an empty query.

    Any input is safe: it is folded, cut to ``MAX_QUERY_LENGTH`` characters and passed to the
    database as parameters only (FTS syntax is quoted).
    """
    parsed = parse_query(query)
    if parsed is None:
        return []
    kind_list = None if kinds is None else [str(k) for k in kinds]
    if kind_list is not None and not kind_list:
        return []
    limit = max(1, min(int(limit), MAX_LIMIT))
    ranked = _rank(parsed, kind_list, limit)
    if not ranked:
        return []
    contents = EntryContent.objects.select_related("entry").only(
        "url", "title", "body", "entry__kind", "entry__key", "entry__department_id")
    by_id = {c.entry_id: c for c in contents.filter(entry_id__in=[i for i, _s in ranked])}
    needles = parsed.needles
    pattern = matcher(needles)
    hits = []
    for entry_id, score in ranked:
        content = by_id.get(entry_id)
        if content is None:
            continue
        entry = content.entry
        title = _in_language(content.title, language)
        body = _in_language(content.body, language)
        hits.append(Hit(
            kind=entry.kind, key=entry.key, title=title, url=content.url, score=score,
            snippet=highlight(body, needles, length=SNIPPET_LENGTH, pattern=pattern),
            title_html=highlight(title, needles, pattern=pattern),
            department_id=entry.department_id,
        ))
    return hits
