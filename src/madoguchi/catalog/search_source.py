"""The catalog's documents in the site search: procedures and the navigator's life events.

The catalog owns what it indexes: the ``procedure`` and ``life_event`` sources register here
(from :meth:`CatalogConfig.ready`) with the contract in :mod:`madoguchi.core.search_sources`,
and report changes with its ``changed()``; the catalog never imports the search app and the
search app never imports the catalog.

A life event is found by its name, its summary and the names of the procedures it brings, so
「出生」 or 「引っ越し」 leads to the navigator as well as to the single procedures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from madoguchi.core.search_sources import Document, changed, register_source

from .models import LifeEvent, NavigatorRule, Procedure

LIFE_EVENT = "life_event"
PROCEDURE = "procedure"


def _joined(*values: object) -> dict[str, str]:
    """Join ``{"ja": ..., "en": ...}`` dicts language by language."""
    out: dict[str, list[str]] = {}
    for value in values:
        if isinstance(value, dict):
            for lang, text in value.items():
                if text:
                    out.setdefault(lang, []).append(str(text))
    return {lang: "\n".join(parts) for lang, parts in out.items()}


def event_document(event: Any) -> Document:
    names = []
    seen: set[int] = set()
    for rule in event.rules.select_related("procedure"):
        if rule.procedure_id not in seen:
            seen.add(rule.procedure_id)
            names.append(rule.procedure.name)
    keywords = [str(v) for v in (event.name or {}).values()]
    for name in names:
        keywords.extend(str(v) for v in name.values())
    return Document(
        kind=LIFE_EVENT, key=str(event.pk), title=dict(event.name or {}),
        body=_joined(event.summary, *names),
        url=reverse("catalog:navi_questions", args=[event.slug]),
        keywords=keywords, boost=1.2,
    )


def _documents() -> Iterator[Document]:
    for event in LifeEvent.objects.filter(is_published=True):
        yield event_document(event)


def _document_for(key: str) -> Document | None:
    if not key.isdigit():
        return None
    event = LifeEvent.objects.filter(pk=int(key), is_published=True).first()
    return event_document(event) if event else None


def reindex_event(event_id: int) -> None:
    """Bring one event's search entry up to date (removed when unpublished or deleted)."""
    changed(LIFE_EVENT, str(event_id))


def _event_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        reindex_event(instance.pk)


def _rule_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        reindex_event(instance.event_id)


# --- procedures ------------------------------------------------------------------------------
def procedure_document(procedure: Any) -> Document:
    return Document(
        kind=PROCEDURE,
        key=str(procedure.pk),
        title=dict(procedure.name or {}),
        body=_joined(procedure.summary, procedure.description, procedure.eligibility),
        url=reverse("catalog:procedure", args=[procedure.slug]),
        keywords=[*map(str, procedure.keywords or []), *filter(None, [procedure.kana])],
        department_id=procedure.department_id,
    )


def _procedures() -> Iterator[Document]:
    for procedure in Procedure.objects.all().iterator():
        yield procedure_document(procedure)


def _procedure_for(key: str) -> Document | None:
    if not key.isdigit():
        return None
    procedure = Procedure.objects.filter(pk=int(key)).first()
    return procedure_document(procedure) if procedure else None


def _procedure_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loaddata: rebuild_search_index afterwards
        return
    changed(PROCEDURE, str(instance.pk))


def _procedure_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    changed(PROCEDURE, str(instance.pk))  # the source has no document any more: removed


def register() -> None:
    """Register both sources and keep them current when procedures, events or rules change."""
    register_source(LIFE_EVENT, _("Life event (procedure navigator)"), _documents,
                    _document_for)
    register_source(PROCEDURE, _("Procedure"), _procedures, _procedure_for)
    post_save.connect(_procedure_saved, sender=Procedure, dispatch_uid="search-procedure-saved")
    post_delete.connect(_procedure_deleted, sender=Procedure,
                        dispatch_uid="search-procedure-deleted")
    post_save.connect(_event_changed, sender=LifeEvent, dispatch_uid="navi-event-saved")
    post_delete.connect(_event_changed, sender=LifeEvent, dispatch_uid="navi-event-deleted")
    post_save.connect(_rule_changed, sender=NavigatorRule, dispatch_uid="navi-rule-saved")
    post_delete.connect(_rule_changed, sender=NavigatorRule, dispatch_uid="navi-rule-deleted")
