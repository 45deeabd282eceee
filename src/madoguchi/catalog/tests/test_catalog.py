"""The catalog: searching procedures in any script, the demo city and the catalog pages."""

from __future__ import annotations

import json

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.catalog.models import City, Counter, Procedure
from madoguchi.core.models import User
from madoguchi.demo.city import DEMO_DIR, load_demo_city
from madoguchi.forms.models import FormDefinition, FormVersion
from madoguchi.residents.models import Resident
from madoguchi.search.selectors import search
from madoguchi.staff.models import Department, StaffMember


def search_procedures(query: str) -> list[Procedure]:
    """Procedures found by the site search for ``query``, best first."""
    by_pk = {str(p.pk): p for p in Procedure.objects.all()}
    return [by_pk[h.key] for h in search(query, kinds=["procedure"], limit=100)]


def slugs(query: str) -> list[str]:
    return [p.slug for p in search_procedures(query)]


@pytest.mark.parametrize("query", ["通学", "つうがく", "ﾂｳｶﾞｸ", "ツウガク", "commuter pass",
                                   "Commuter Pass", "ＣＯＭＭＵＴＥＲ　ＰＡＳＳ", "通学 補助"])
def test_search_finds_the_commuting_subsidy(demo, query):
    assert "tsugaku-hojo" in slugs(query)


@pytest.mark.parametrize("query",
                         ["じどう", "手当", "児童手当", "ジドウ", "ｼﾞﾄﾞｳ", "child allowance"])
def test_search_finds_the_child_allowance(demo, query):
    assert "jido-teate" in slugs(query)


def test_search_ranks_a_name_match_first(demo):
    assert slugs("児童手当")[0] == "jido-teate"


def test_search_needs_every_word(demo):
    assert slugs("通学 出生") == []


@pytest.mark.parametrize("query", ["", "   ", "\u3000", "x" * 1000, "あ" * 1000, "%", "_", "'",
                                   "\\", "%' OR 1=1 --", "<script>"])
def test_odd_queries_do_not_crash(demo, query):
    assert isinstance(search_procedures(query), list)


def test_empty_query_finds_nothing(demo):
    assert search_procedures("") == []
    assert search_procedures("   ") == []


def test_like_wildcards_are_literal(demo):
    assert slugs("%") == []
    assert slugs("_") == []


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=200))
def test_any_query_returns_a_list(demo, query):
    assert isinstance(search_procedures(query), list)


@pytest.mark.parametrize("query", ["", "通学", "x" * 1000, "あ" * 1000, "%00", "<b>通学</b>"])
def test_search_page(client, demo, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<b>通学</b>" not in response.content.decode()


def test_search_page_with_a_nul_byte(client, demo):
    assert client.get("/search/?q=%00").status_code == 200
    assert client.get("/search/?q=%E9%80%9A%00%E5%AD%A6").status_code == 200


def test_search_page_lists_results(client, demo):
    html = client.get("/search/", {"q": "つうがく"}).content.decode()
    assert "/procedures/tsugaku-hojo/" in html


# --- the demo city ----------------------------------------------------------------------------
MODELS = [City, Department, Counter, Procedure, FormDefinition, FormVersion, User, StaffMember,
          Resident]


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


DEMO_DATA = json.loads((DEMO_DIR / "city.json").read_text(encoding="utf-8"))


def test_load_demo_city_is_idempotent(db):
    first = load_demo_city()
    before = counts()
    second = load_demo_city()
    assert first == second
    assert counts() == before
    assert before["City"] == 1
    # The procedures of city.json, and 住民票の写しの郵送請求 with its own form (demo/postal.py).
    postal = first["postal_procedures"]
    assert before["FormVersion"] == len([p for p in DEMO_DATA["procedures"] if p.get("form")]) \
        + postal
    assert before["Procedure"] == first["procedures"] + postal
    assert before["StaffMember"] == first["staff"]


def test_load_demo_city_does_not_reset_changed_passwords(demo, resident):
    resident.set_password("my-own-password-1")
    resident.save()
    load_demo_city()
    resident.refresh_from_db()
    assert resident.check_password("my-own-password-1")


def test_demo_has_complete_procedures(demo):
    procedures = list(Procedure.objects.select_related("department", "counter"))
    assert len(procedures) >= 12
    for p in procedures:
        assert p.name.get("ja") and p.name.get("en"), p.slug
        assert p.department_id, p.slug
        for attribute in ("summary", "deadline", "fee", "description", "eligibility"):
            value = getattr(p, attribute)
            assert value.get("ja") and value.get("en"), (p.slug, attribute)
        assert p.documents, p.slug
        for document in p.documents:
            assert document.get("ja") and document.get("en"), p.slug
        assert p.counter is not None, p.slug
        assert p.counter.department_id == p.department_id, p.slug
        assert p.kana and p.search_text, p.slug
        if p.online:
            assert p.online_note.get("ja") and p.online_note.get("en"), p.slug


def test_demo_deadlines_follow_the_domain_facts(demo):
    deadline = {p.slug: p.deadline["ja"] for p in Procedure.objects.all()}
    assert "14日" in deadline["tennyu"]
    assert "14日" in deadline["shussei"]
    assert "15日" in deadline["jido-teate"]


def test_only_procedures_with_a_live_form_offer_to_apply(client, demo):
    """A live form offers to apply, unless the city files it at the counter only."""
    counter_only = 0
    for procedure in Procedure.objects.all():
        response = client.get(f"/procedures/{procedure.slug}/")
        assert response.status_code == 200, procedure.slug
        form = getattr(procedure, "form", None)
        applies = form is not None and f'href="/apply/{form.slug}/"' in response.content.decode()
        live = form.live_version if form is not None and form.is_open else None
        at_counter = live is not None and live.definition.get("access") == "counter"
        counter_only += at_counter
        assert applies == bool(live and not at_counter), procedure.slug
    assert Procedure.objects.get(slug="tsugaku-hojo").form.live_version is not None
    assert counter_only == 4  # 転入届, 児童手当, 国民健康保険 加入, 就学 (書かない窓口)


def test_procedure_page_shows_the_facts(client, demo):
    html = client.get("/procedures/tsugaku-hojo/").content.decode()
    p = Procedure.objects.get(slug="tsugaku-hojo")
    with translation.override("ja"):
        for text in (p.name["ja"], p.counter.name["ja"], p.documents[0]["ja"]):
            assert text in html, text


def test_unknown_procedure_is_not_found(client, demo):
    assert client.get("/procedures/no-such-thing/").status_code == 404


def test_home_lists_every_procedure(client, demo):
    html = client.get("/").content.decode()
    for procedure in Procedure.objects.all():
        assert f"/procedures/{procedure.slug}/" in html


def test_search_text_is_rebuilt_on_save(demo):
    p = Procedure.objects.get(slug="inkan")
    assert "inkan" not in slugs("はんこうけ")
    p.keywords = [*p.keywords, "はんこうけ"]
    p.save()
    assert "inkan" in slugs("ハンコウケ")
