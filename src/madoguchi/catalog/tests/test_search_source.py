"""The catalog's search sources: procedures are indexed by the catalog, not by the search app."""

from __future__ import annotations

import pytest

from madoguchi.catalog.models import Procedure
from madoguchi.catalog.search_source import PROCEDURE, procedure_document
from madoguchi.core.search_sources import get_source
from madoguchi.search.models import Entry
from madoguchi.search.selectors import search


def ranked(query: str) -> list[str]:
    ids = {str(p.pk): p.slug for p in Procedure.objects.all()}
    return [ids[h.key] for h in search(query, kinds=[PROCEDURE])]


def test_the_catalog_registers_the_procedure_source():
    source = get_source(PROCEDURE)
    assert source is not None and source.documents.__module__ == "madoguchi.catalog.search_source"


@pytest.mark.django_db
def test_a_procedure_document_carries_names_readings_and_its_page(demo):
    procedure = Procedure.objects.get(slug="inkan")
    document = get_source(PROCEDURE).document_for(str(procedure.pk))
    assert document == procedure_document(procedure)
    assert document.url.endswith("/inkan/") and document.title == dict(procedure.name)
    assert get_source(PROCEDURE).document_for("x1") is None


def test_procedures_are_reindexed_on_save_and_delete(demo):
    procedure = Procedure.objects.get(slug="inkan")
    procedure.keywords = [*procedure.keywords, "ざくろ石"]
    procedure.save()
    assert ranked("ザクロ石") == ["inkan"]
    extra = Procedure.objects.create(slug="test-search", department=procedure.department,
                                     name={"ja": "ざくろ石の届出", "en": "Garnet notice"})
    assert ranked("ザクロ石") == ["test-search", "inkan"]
    pk = extra.pk
    extra.delete()
    assert not Entry.objects.filter(kind=PROCEDURE, key=str(pk)).exists()
    assert ranked("ザクロ石") == ["inkan"]
