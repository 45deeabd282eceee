"""The ``procedure`` source (catalog.Procedure), kept in the index by signals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .registry import Document, register_source

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
    from madoguchi.catalog.models import Procedure

    for procedure in Procedure.objects.all().iterator():
        yield procedure_document(procedure)


def _procedure_for(key: str) -> Document | None:
    from madoguchi.catalog.models import Procedure

    if not key.isdigit():
        return None
    procedure = Procedure.objects.filter(pk=int(key)).first()
    return procedure_document(procedure) if procedure else None


def _procedure_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loaddata: rebuild_search_index afterwards
        return
    from .services import index_document

    index_document(procedure_document(instance))


def _procedure_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from .services import remove

    remove(PROCEDURE, str(instance.pk))


def register() -> None:
    from madoguchi.catalog.models import Procedure

    register_source(PROCEDURE, _("Procedure"), _procedures, _procedure_for)
    post_save.connect(_procedure_saved, sender=Procedure, dispatch_uid="search-procedure-saved")
    post_delete.connect(_procedure_deleted, sender=Procedure,
                        dispatch_uid="search-procedure-deleted")
