"""Search sources: the contract between the apps whose things are found and the site search.

An app that owns searchable things (catalog: procedures and life events; faq: entries) calls
``register_source`` once (in its ``AppConfig.ready``) and then :func:`changed` whenever one of
its objects changes; the search app listens to :data:`document_changed` and re-reads the
document from its source. The contract sits in core so that every app can register a source
without importing the search app (which sits on a higher floor than the catalog).

The sources live in :data:`registry`, a :class:`madoguchi.core.plugins.Registry`: a kind is
registered once (duplicates are refused), and tests add a source with
``registry.temporary(kind, Source(...))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

from madoguchi.core.plugins import Registry


@dataclass(frozen=True)
class Document:
    """One searchable thing as the index sees it.

    ``title`` and ``body`` are ``{"ja": ..., "en": ...}`` dicts (both languages are indexed);
    ``keywords`` are extra words people search with (readings, other names); ``boost``
    multiplies the score; ``department_id`` lets callers filter or label results.
    """

    kind: str
    key: str
    title: dict[str, str]
    body: dict[str, str]
    url: str
    keywords: list[str] | tuple[str, ...] = field(default=())
    department_id: int | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Source:
    """A kind of document the index holds.

    ``documents()`` yields every document of the kind (for a rebuild); ``document_for(key)``
    returns the current document for one key, or None when it no longer exists or must not be
    found (unpublished).
    """

    kind: str
    label: Any  # a (lazy) translatable string, e.g. gettext_lazy("Procedure")
    documents: Callable[[], Iterable[Document]]
    document_for: Callable[[str], Document | None]


class SearchSourceRegistry(Registry[Source]):
    """The search sources by kind, in registration order (ids are the kinds)."""

    plugin_class = Source
    id_attribute = "kind"


registry = SearchSourceRegistry("search_sources")

# Sent with ``kind`` and ``key`` when a searchable object was created, changed or deleted.
document_changed = Signal()


def register_source(
    kind: str,
    label: Any,
    documents: Callable[[], Iterable[Document]],
    document_for: Callable[[str], Document | None],
) -> Source:
    """Register the source of documents of ``kind`` (refused when the kind is taken)."""
    return registry.register(kind, Source(kind=kind, label=label, documents=documents,
                                                document_for=document_for))


def get_source(kind: str) -> Source | None:
    """The source of ``kind``, enabled or not (its saved objects keep the index current)."""
    return registry.get(kind)


def sources() -> dict[str, Source]:
    """Every enabled source by kind, in registration order (what search offers and rebuilds)."""
    return dict(registry.enabled())


def kind_label(kind: str) -> str:
    source = registry.get(kind)
    return str(source.label) if source else kind


def changed(kind: str, key: str) -> None:
    """Tell the search that the document ``key`` of ``kind`` changed (or is gone).

    Synchronous: the index is updated inside the caller's transaction, before this returns.
    """
    document_changed.send(sender=Source, kind=kind, key=str(key))
