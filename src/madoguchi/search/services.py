"""Writes of the search index and the synonym groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from madoguchi.core import search_sources
from madoguchi.core.search_sources import Document

from .defaults import DEFAULT_SYNONYMS
from .folding import fold, grams
from .models import Entry, EntryContent, SynonymGroup, SynonymTerm

MAX_TERM_LENGTH = 100
MAX_TERMS_PER_GROUP = 30


def _texts(value: object) -> list[str]:
    """The strings of a ``{"ja": ..., "en": ...}`` dict (Japanese first), or of a plain str."""
    if isinstance(value, dict):
        ordered = [value.get("ja"), value.get("en")]
        ordered += [v for k, v in value.items() if k not in ("ja", "en")]
        return [str(v) for v in ordered if v]
    return [str(value)] if value else []


def _fields(document: Document) -> tuple[dict, dict]:
    """The ``Entry`` (ranking) and ``EntryContent`` (shown, searched) fields of a document."""
    titles = [t for t in (fold(t) for t in _texts(document.title)) if t]
    keywords = [k for k in (fold(str(w)) for w in document.keywords) if k]
    bodies = [fold(b) for b in _texts(document.body)]
    head_f = "\n".join([*titles, *keywords])
    text_f = "\n".join(filter(None, bodies))
    entry = {
        "department_id": document.department_id,
        "boost": float(document.boost),
        "title_length": min((len(t) for t in titles), default=0),
        "title_f": "\n" + "\n".join(titles) + "\n",
        "keywords_f": "\n" + "\n".join(keywords) + "\n" if keywords else "",
    }
    content = {
        "url": document.url[:500],
        "title": document.title if isinstance(document.title, dict) else {"ja": document.title},
        "body": document.body if isinstance(document.body, dict) else {"ja": document.body},
        "keywords": [str(w) for w in document.keywords],
        "head_f": head_f,
        "text_f": text_f,
        "head_grams": grams(head_f),
        "grams": grams(text_f),
    }
    return entry, content


@transaction.atomic
def index_document(document: Document) -> Entry:
    """Add or replace the entry of one document."""
    entry_fields, content_fields = _fields(document)
    entry, _created = Entry.objects.update_or_create(
        kind=document.kind, key=str(document.key), defaults=entry_fields
    )
    EntryContent.objects.update_or_create(entry=entry, defaults=content_fields)
    return entry


def reindex(kind: str, key: str) -> None:
    """Re-read one document from its source; remove it from the index when it is gone."""
    source = search_sources.get_source(kind)
    if source is None:
        raise LookupError(f"no search source registered for {kind!r}")
    document = source.document_for(str(key))
    if document is None:
        remove(kind, key)
    else:
        index_document(document)


def document_changed_received(sender: Any, *, kind: str, key: str, **kwargs: Any) -> None:
    """Receiver of ``core.search_sources.document_changed``: reindex one document."""
    reindex(kind, key)


def remove(kind: str, key: str) -> None:
    Entry.objects.filter(kind=kind, key=str(key)).delete()


def _write(kind: str, documents: list[Document]) -> int:
    pairs = [_fields(d) for d in documents]
    entries = Entry.objects.bulk_create(
        [Entry(kind=kind, key=str(d.key), **fields) for d, (fields, _c) in zip(documents, pairs,
                                                                                strict=True)]
    )
    EntryContent.objects.bulk_create(
        [EntryContent(entry=e, **content) for e, (_f, content) in zip(entries, pairs, strict=True)]
    )
    return len(entries)


@transaction.atomic
def rebuild(kinds: Iterable[str] | None = None) -> int:
    """Rebuild the index of ``kinds`` (default: every registered source); returns the number
    of entries written."""
    sources = search_sources.sources()
    wanted = list(sources) if kinds is None else list(kinds)
    unknown = [k for k in wanted if k not in sources]
    if unknown:
        raise LookupError(f"no search source registered for {', '.join(unknown)}")
    total = 0
    for kind in wanted:
        EntryContent.objects.filter(entry__kind=kind).delete()
        Entry.objects.filter(kind=kind).delete()
        batch: list[Document] = []
        seen: set[str] = set()
        for document in sources[kind].documents():
            if document.kind != kind or str(document.key) in seen:
                continue
            seen.add(str(document.key))
            batch.append(document)
            if len(batch) >= 500:
                total += _write(kind, batch)
                batch = []
        total += _write(kind, batch)
    return total


# --- synonyms -------------------------------------------------------------------------------


def clean_terms(terms: Iterable[str]) -> list[str]:
    """Terms as staff typed them, stripped, without empties or folded duplicates."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for raw in terms:
        term = " ".join(str(raw).split())[:MAX_TERM_LENGTH]
        key = fold(term)
        if key and key not in seen:
            seen.add(key)
            cleaned.append(term)
    return cleaned


@transaction.atomic
def save_synonym_group(
    terms: Iterable[str], *, note: str = "", group: SynonymGroup | None = None
) -> SynonymGroup:
    """Create or replace a synonym group; it needs at least two different terms."""
    cleaned = clean_terms(terms)
    if len(cleaned) < 2:
        raise ValueError("a synonym group needs at least two different terms")
    if len(cleaned) > MAX_TERMS_PER_GROUP:
        raise ValueError("too many terms in one group")
    if group is None:
        group = SynonymGroup(terms=cleaned, note=note[:200])
    else:
        group.terms, group.note = cleaned, note[:200]
    group.save()
    SynonymTerm.objects.filter(group=group).delete()
    SynonymTerm.objects.bulk_create(
        [SynonymTerm(group=group, term=fold(t)) for t in cleaned]
    )
    return group


def delete_synonym_group(group: SynonymGroup) -> None:
    group.delete()


def ensure_default_synonyms() -> int:
    """Create the default synonym groups when there are none at all (a fresh or emptied
    database); staff's own groups are never touched. Returns how many were created."""
    if SynonymGroup.objects.exists():
        return 0
    for terms, note in DEFAULT_SYNONYMS:
        save_synonym_group(terms, note=note)
    return len(DEFAULT_SYNONYMS)
