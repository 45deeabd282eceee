"""Search sources: each app registers a kind of document the site search indexes.

An app calls ``register_source`` once (in its ``AppConfig.ready``) and then
``madoguchi.search.services.reindex(kind, key)`` whenever one of its objects changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One searchable thing as the index sees it.

    ``title`` and ``body`` are ``{"ja": ..., "en": ...}`` dicts (both languages are indexed);
    ``keywords`` are extra words people search with (readings, other names); ``boost``
    multiplies the score; ``department_id`` lets callers filter or label results.
    """

    kind: str
    key: str
    title: dict
    body: dict
    url: str
    keywords: list[str] | tuple[str, ...] = field(default=())
    department_id: int | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Source:
    kind: str
    label: Any  # a (lazy) translatable string, e.g. gettext_lazy("Procedure")
    documents: Callable[[], Iterable[Document]]
    document_for: Callable[[str], Document | None]


_SOURCES: dict[str, Source] = {}


def register_source(
    kind: str,
    label: Any,
    documents: Callable[[], Iterable[Document]],
    document_for: Callable[[str], Document | None],
) -> None:
    """Register (or replace) the source of documents of ``kind``.

    ``documents()`` yields every document of the kind (for a rebuild); ``document_for(key)``
    returns the current document for one key, or None when it no longer exists or must not be
    found (unpublished).
    """
    if not kind or len(kind) > 40:
        raise ValueError("a search kind is a short non-empty name")
    _SOURCES[kind] = Source(kind=kind, label=label, documents=documents,
                            document_for=document_for)


def get_source(kind: str) -> Source | None:
    return _SOURCES.get(kind)


def sources() -> dict[str, Source]:
    """Every registered source by kind, in registration order."""
    return dict(_SOURCES)


def kind_label(kind: str) -> str:
    source = _SOURCES.get(kind)
    return str(source.label) if source else kind
