"""The FAQ as a source of the site search (``madoguchi.search``): published entries only."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from madoguchi.core.search_sources import Document, register_source
from madoguchi.search import services

from .models import FaqEntry

KIND = "faq"


def _document(entry):  # FaqEntry -> Document
    return Document(
        kind=KIND,
        key=str(entry.pk),
        title=_texts(entry.question),
        body=_texts(entry.answer),
        url=reverse("faq:entry", args=[entry.pk]),
        keywords=[str(k) for k in entry.keywords or []],
        department_id=entry.department_id,
        boost=1.0,
    )


def _texts(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {"ja": str(value.get("ja") or ""), "en": str(value.get("en") or "")}
    return {"ja": str(value or ""), "en": ""}


def documents() -> Iterable:
    """Every published entry, as search documents."""
    for entry in FaqEntry.objects.filter(is_published=True).iterator():
        yield _document(entry)


def document_for(key: str):  # Document | None
    """The document of entry ``key``, or ``None`` when it is gone or not published."""
    try:
        pk = int(key)
    except (TypeError, ValueError):
        return None
    entry = FaqEntry.objects.filter(pk=pk, is_published=True).first()
    return _document(entry) if entry is not None else None


def register() -> None:
    """Make the FAQ searchable (called from the app's ``ready``)."""
    register_source(KIND, _("Frequently asked questions"), documents, document_for)


def reindex(entry_id: int) -> None:
    """Bring the search index up to date for one entry (published, changed or withdrawn)."""
    services.reindex(KIND, str(entry_id))


def remove(entry_id: int) -> None:
    services.remove(KIND, str(entry_id))
