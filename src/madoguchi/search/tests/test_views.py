"""The resident search page and the staff page of synonym groups."""

from __future__ import annotations

import pytest

from madoguchi.conftest import client_for, visible_text
from madoguchi.core.models import User
from madoguchi.demo.accounts import staff_email
from madoguchi.search.models import SynonymGroup


def test_search_page_shows_ranked_highlighted_results_with_a_count(client, demo):
    response = client.get("/search/", {"q": "手当"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>手当</mark>" in html
    assert html.index("/procedures/jido-teate/") < html.index('class="search-count"') + 10_000
    text = visible_text(html)
    assert "件" in text or "result" in text
    assert "/procedures/jido-teate/" in html


def test_search_page_in_english(client, demo):
    client.cookies["django_language"] = "en"
    html = client.get("/search/", {"q": "moving in"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/procedures/tennyu/" in html
    assert "<mark>Moving</mark>-<mark>in</mark> notification" in html
    assert "with<mark>in</mark>" not in html  # Latin words are marked where a word starts


def test_kind_filter(client, demo):
    html = client.get("/search/", {"q": "手当", "kind": "procedure"}).content.decode()
    assert "/procedures/jido-teate/" in html
    assert client.get("/search/", {"q": "手当", "kind": "<bad>"}).status_code == 200


def test_no_result_message(client, demo):
    html = client.get("/search/", {"q": "xyzzyqq"}).content.decode()
    assert 'role="status"' in html


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", "AND", "%00", "\x00", "x" * 5000,
                                   "<script>alert(1)</script>", "\ud800".encode(
                                       "utf-8", "surrogatepass").decode("latin-1")])
def test_odd_queries_on_the_page(client, demo, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_page_with_a_raw_bad_byte(client, demo):
    assert client.get("/search/?q=%FF%FE%00").status_code == 200


# --- staff: synonyms ---------------------------------------------------------------------------

URL = "/staff/search/synonyms/"


def staff(username: str):
    return client_for(User.objects.get(email=staff_email(username)))


@pytest.mark.parametrize("who", ["shimin-admin", "dx1"])
def test_admin_and_dx_see_the_synonyms(demo, who):
    response = staff(who).get(URL)
    assert response.status_code == 200
    assert "住民票の写し" in response.content.decode()


@pytest.mark.parametrize("who", ["shimin1", "kosodate2", "kosodate3"])
def test_other_roles_get_403(demo, who):
    client = staff(who)
    assert client.get(URL).status_code == 403
    group = SynonymGroup.objects.first()
    assert client.get(f"{URL}{group.pk}/").status_code == 403
    assert client.post(f"{URL}{group.pk}/delete/").status_code == 403
    assert client.post(URL, {"terms": "a\nb"}).status_code == 403


def test_anonymous_and_residents_are_kept_out(demo, resident):
    assert client_for(None).get(URL)["Location"].startswith("/staff/login/")
    assert client_for(resident).get(URL).status_code == 403


def test_add_edit_and_delete_a_group(demo):
    client = staff("dx1")
    response = client.post(URL, {"terms": "ごみ\nゴミ、塵芥", "note": "waste"})
    assert response.status_code == 302
    group = SynonymGroup.objects.get(note="waste")
    assert group.terms == ["ごみ", "塵芥"]
    page = client.get(f"{URL}{group.pk}/")
    assert page.status_code == 200 and "塵芥" in page.content.decode()
    response = client.post(f"{URL}{group.pk}/", {"terms": "ごみ\n廃棄物", "note": ""})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.terms == ["ごみ", "廃棄物"]
    assert client.get(f"{URL}{group.pk}/delete/").status_code == 405
    assert client.post(f"{URL}{group.pk}/delete/").status_code == 302
    assert not SynonymGroup.objects.filter(pk=group.pk).exists()
    assert client.get(f"{URL}{group.pk}/").status_code == 404


def test_a_group_of_one_term_is_refused_with_a_message(demo):
    client = staff("shimin-admin")
    count = SynonymGroup.objects.count()
    response = client.post(URL, {"terms": "こども\nコドモ", "note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    assert SynonymGroup.objects.count() == count
