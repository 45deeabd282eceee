"""Reads of the catalog: the city, procedures and a width/kana-insensitive search."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from madoguchi.forms.models import FormVersion

from .models import City, LifeEvent, Procedure

MAX_QUERY_LENGTH = 100


def get_city() -> City | None:
    return City.objects.first()


def procedures() -> QuerySet[Procedure]:
    """Procedures with their department and counter, and whether an open, published form exists."""
    published = FormVersion.objects.filter(
        form__procedure=OuterRef("pk"), form__is_open=True, published_at__isnull=False
    )
    return Procedure.objects.select_related("department", "counter").annotate(
        has_published_form=Exists(published)
    )


def search_procedures(query: str, *, language: str = "ja") -> list[Procedure]:
    """Procedures matching every word of the query, best first (``madoguchi.search``).

    Folding ignores full/half width, hiragana/katakana and common 異体字, so 「こども」 finds
    子ども医療費 and 「ｼﾞﾄﾞｳ」 finds 児童手当 through its reading; synonyms apply too.
    """
    from madoguchi.search.selectors import search

    hits = search(query, kinds=["procedure"], language=language, limit=100)
    by_pk = {str(p.pk): p for p in procedures().filter(pk__in=[int(h.key) for h in hits])}
    return [by_pk[h.key] for h in hits if h.key in by_pk]


def life_events_for(procedure: Procedure) -> list[LifeEvent]:
    """The published life events whose navigator checklist can list ``procedure``."""
    return list(LifeEvent.objects.filter(is_published=True, rules__procedure=procedure)
                .distinct().order_by("sort_order", "pk"))
