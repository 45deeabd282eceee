"""The resident's pre-application (スマート申請) and the clerk opening it by its code."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent

from .. import preapplication as pre_app
from ..models import PreApplication, Visit
from ..preapp_views import qr_svg
from .conftest import BASE, EVENT, FORMS, visit_of

PHONE = "090-1234-5678"


def _questions(pre: PreApplication) -> dict[tuple[str, str], str]:
    sources = pre_app.sources(pre_app.data(pre), timezone.localdate())
    return {t: q.name for q in pre_app.resident_questions(sources) for t in q.targets}


def make_preapplication(client: Client, **headers: Any) -> tuple[PreApplication, str]:
    """Navigator → the forms' questions (a few answered) → the code page; (row, page)."""
    response = client.post("/pre/", {"event": EVENT}, **headers)
    assert response.status_code == 302, response.content.decode()[:2000]
    events_url = response["Location"]
    response = client.post(events_url, {f"{EVENT}-date": "2026-04-01",
                                        f"{EVENT}-high_school": "yes",
                                        f"{EVENT}-help_costs": "no"})
    assert response.status_code == 302, response.content.decode()[:2000]
    answers_url = response["Location"]
    pre = PreApplication.objects.latest("created_at")
    page = client.get(answers_url).content.decode()
    n = _questions(pre)
    assert f'name="{n["tsugaku-hojo", "school_name"]}"' in page
    name = n["tsugaku-hojo", "applicant_name"]
    response = client.post(answers_url, {
        f"{name}-family": "緑川", f"{name}-given": "太郎",
        f"{name}-family_kana": "ミドリカワ", f"{name}-given_kana": "タロウ",
        n["tsugaku-hojo", "phone"]: PHONE,
        n["tsugaku-hojo", "school_name"]: "緑ヶ丘高校"})
    assert response.status_code == 302, response.content.decode()[:3000]
    code_page = client.get(response["Location"])
    assert code_page["Cache-Control"] == "private, no-store"
    assert code_page["Referrer-Policy"] == "same-origin"
    pre.refresh_from_db()
    return pre, code_page.content.decode()


def code_of(page: str) -> str:
    match = re.search(r"<strong lang=\"en\">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>", page)
    assert match, page[:3000]
    return match.group(1)


def test_the_resident_gets_a_code_and_a_qr_code_of_the_staff_address_only(db, counter_city):
    pre, page = make_preapplication(Client())
    code = code_of(page)
    assert pre.completed_at is not None and pre.resident is None
    url = f"http://testserver/staff/counter/pre/{code.replace('-', '')}/"
    assert qr_svg(url) in page  # the QR code encodes exactly this address, no answer
    assert "緑川" not in pre.sealed and code.replace("-", "") not in pre.code_digest
    assert pre_app.data(pre)["answers"]["tsugaku-hojo"]["school_name"] == "緑ヶ丘高校"
    expected = timezone.now() + dt.timedelta(days=14)
    assert abs((pre.expires_at - expected).total_seconds()) < 60


def test_the_clerk_opens_the_code_and_the_visit_takes_plan_and_answers(clerk_client,
                                                                        fake_registry):
    pre, page = make_preapplication(Client())
    code = code_of(page)
    visit = visit_of(clerk_client.post(f"{BASE}/open/"))
    url = f"{BASE}/{visit.public_id}/identify/"
    response = clerk_client.post(url, {"code": code.lower().replace("-", " ")})
    assert response["Location"] == url
    assert "事前申請を読み込みました" in clerk_client.get(url).content.decode()
    opened = AuditEvent.objects.get(action="counter.preapp_opened")
    assert opened.target_id == str(visit.public_id)
    assert opened.details["preapplication"] == str(pre.public_id)
    # The clerk still confirms identity with the registry; the plan is the resident's.
    assert clerk_client.post(url, {"name": "緑川太郎", "record": "r-1"}).status_code == 302
    plan = clerk_client.get(f"{BASE}/{visit.public_id}/plan/").content.decode()
    assert re.search(rf'value="{EVENT}" checked', plan)
    assert 'value="2026-04-01"' in plan
    response = clerk_client.post(f"{BASE}/{visit.public_id}/plan/", {
        "event": EVENT, f"{EVENT}-date": "2026-04-01", f"{EVENT}-high_school": "yes",
        f"{EVENT}-help_costs": "no"})
    assert response.status_code == 302
    clerk_client.post(f"{BASE}/{visit.public_id}/procedures/", {"form": list(FORMS)})
    page = clerk_client.get(f"{BASE}/{visit.public_id}/interview/").content.decode()
    assert re.search(r'value="緑ヶ丘高校"', page)  # a form's own question
    assert PHONE in page  # a concept the registry does not know
    assert re.search(r'name="c_applicant_name-family_kana" value="ミドリカワ"', page)  # registry
    # A code opens once per visit.
    response = clerk_client.post(url, {"code": code}, follow=True)
    assert "すでに事前申請を読み込んでいます" in response.content.decode()


def test_wrong_and_expired_codes_say_so_in_japanese_and_guessing_is_limited(
        clerk_client, settings):
    settings.COUNTER_PREAPPLICATION_WRONG_CODES_PER_HOUR = 3
    pre, page = make_preapplication(Client())
    code = code_of(page)
    visit = visit_of(clerk_client.post(f"{BASE}/open/"))
    url = f"{BASE}/{visit.public_id}/identify/"
    headers: dict[str, str] = {}
    text = clerk_client.post(url, {"code": "ABCD-EFGH"}, follow=True, **headers)
    assert "この申請コードの事前申請はありません" in text.content.decode()
    text = clerk_client.post(url, {"code": "1234"}, follow=True, **headers)
    assert "申請コードではありません" in text.content.decode()
    PreApplication.objects.filter(pk=pre.pk).update(expires_at=timezone.now())
    text = clerk_client.post(url, {"code": code}, follow=True, **headers)
    assert "有効期限が切れています" in text.content.decode()
    PreApplication.objects.filter(pk=pre.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1))
    text = clerk_client.post(url, {"code": code}, follow=True, **headers)
    assert "間違ったコードが多すぎます" in text.content.decode()
    assert AuditEvent.objects.filter(action=pre_app.WRONG_CODE).count() == 3
    assert not AuditEvent.objects.filter(action="counter.preapp_opened").exists()


def test_a_scanned_qr_address_opens_a_walk_in_visit(clerk_client):
    _pre, page = make_preapplication(Client())
    code = code_of(page).replace("-", "")
    response = clerk_client.get(f"{BASE}/pre/{code}/")
    assert response.status_code == 200 and not AuditEvent.objects.filter(
        action="counter.preapp_opened").exists()  # a GET opens nothing
    response = clerk_client.post(f"{BASE}/pre/{code}/walk-in/")
    visit = visit_of(response)
    assert visit.state == Visit.State.OPEN and not visit.identified
    assert AuditEvent.objects.get(action="counter.preapp_opened").target_id == str(
        visit.public_id)
    assert clerk_client.get(f"{BASE}/pre/not-a-code!/").status_code == 404


def test_a_scanner_typing_the_address_into_the_code_field_works(clerk_client):
    _pre, page = make_preapplication(Client())
    code = code_of(page).replace("-", "")
    visit = visit_of(clerk_client.post(f"{BASE}/open/"))
    clerk_client.post(f"{BASE}/{visit.public_id}/identify/",
                      {"code": f"https://city.example/staff/counter/pre/{code}/"})
    assert AuditEvent.objects.filter(action="counter.preapp_opened").count() == 1


def test_a_signed_in_resident_s_pre_application_is_theirs(db, counter_city, resident):
    pre, _page = make_preapplication(client_for(resident))
    assert pre.resident == resident


def test_starting_is_limited_per_address(db, counter_city, settings):
    settings.COUNTER_PREAPPLICATION_PER_HOUR = 2
    client = Client()
    for _i in range(2):
        assert client.post("/pre/", {"event": EVENT}).status_code == 302
    response = client.post("/pre/", {"event": EVENT}, follow=True)
    assert PreApplication.objects.count() == 2
    assert "始められた事前申請が多すぎます" in response.content.decode()


def test_expired_pre_applications_are_gone(db, counter_city):
    pre, _page = make_preapplication(Client())
    token = pre_app.token_of(pre)
    PreApplication.objects.filter(pk=pre.pk).update(expires_at=timezone.now())
    assert Client().get(f"/pre/{token}/code/").status_code == 404
    Client().post("/pre/", {"event": EVENT})  # starting another deletes expired ones
    assert not PreApplication.objects.filter(pk=pre.pk).exists()


@pytest.mark.parametrize("lang, text", [("ja", "事前申請"), ("en", "Pre-application")])
def test_the_resident_pages_speak_japanese_and_english(db, counter_city, settings, lang,
                                                       text):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = client.get("/pre/").content.decode()
    assert text in page and f'lang="{lang}"' in page


@pytest.mark.parametrize("path, data", [
    ("/pre/", {"event": ["x" * 5000, "\x00"]}),
    ("/pre/junk/events/", {"a": "b"}),
    ("/pre/junk/answers/", {}),
    ("/pre/junk/code/", {}),
])
def test_junk_never_gives_a_server_error(db, counter_city, path, data):
    client = Client()
    for response in (client.get(path, data), client.post(path, data)):
        assert response.status_code < 500


def test_junk_answers_and_codes_never_give_a_server_error(clerk_client):
    client = Client()
    response = client.post("/pre/", {"event": EVENT})
    token_url = response["Location"]
    for data in ({f"{EVENT}-date": "\x00" * 99}, {f"{EVENT}-date": "令和99年99月99日"}, {}):
        assert client.post(token_url, data).status_code == 422
    answers = token_url.replace("/events/", "/answers/")
    assert client.post(answers, {"x": "y"}).status_code == 302  # the events come first
    visit = visit_of(clerk_client.post(f"{BASE}/open/"))
    for code in ("\x00", "ｋ７ｍ２－ｑｘ９ｐ", "x" * 10_000, "/" * 50, ""):
        response = clerk_client.post(f"{BASE}/{visit.public_id}/identify/", {"code": code})
        assert response.status_code == 302
