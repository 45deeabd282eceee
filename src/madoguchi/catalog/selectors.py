"""Reads of the catalog: the city, procedures and a width/kana-insensitive search."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from madoguchi.forms.models import FormVersion
from madoguchi.jp.names import name_search_key

from .models import City, Procedure

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


def search_procedures(query: str) -> list[Procedure]:
    """Procedures whose folded text contains every word of the query (any order).

    Folding ignores full/half width, hiragana/katakana and common 異体字, so 「こども」 finds
    子ども医療費 through its keywords and 「ｼﾞﾄﾞｳ」 finds 児童手当 through its reading.
    """
    # NUL never occurs in the text searched, and PostgreSQL refuses it in a query parameter.
    words = [name_search_key(w) for w in query[:MAX_QUERY_LENGTH].replace("\x00", " ").split()]
    words = [w for w in words if w]
    if not words:
        return []
    qs = procedures()
    for word in words:
        qs = qs.filter(search_text__contains=word)
    results = list(qs)

    def rank(p: Procedure) -> tuple[int, int]:
        name_key = name_search_key(" ".join(str(v) for v in p.name.values()))
        in_name = sum(word in name_key for word in words)
        return (-in_name, p.sort_order)

    return sorted(results, key=rank)
