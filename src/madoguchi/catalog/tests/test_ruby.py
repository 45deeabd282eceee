"""The ふりがな switch, the middleware over resident pages, and the city's dictionary."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.catalog.models import RubyReading
from madoguchi.catalog.ruby import COOKIE, add_ruby, forget_dictionary
from madoguchi.core.models import AuditEvent
from madoguchi.staff.tests.helpers import member, staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_dictionary():
    forget_dictionary()
    yield
    forget_dictionary()


def ruby_client() -> Client:
    client = Client()
    client.cookies[COOKIE] = "1"
    return client


def test_the_switch_sets_the_choice_and_goes_back(demo) -> None:
    client = Client()
    page = client.get("/")
    assert "ふりがなをつける" in page.content.decode()
    response = client.post("/ruby/", {"ruby": "on", "next": "/procedures/jido-teate/"})
    assert response.status_code == 302
    assert response["Location"] == "/procedures/jido-teate/"
    assert client.cookies[COOKIE].value == "1"
    on = client.get("/procedures/jido-teate/").content.decode()
    assert "<ruby>児童手当<rp" in on
    assert "ふりがなをはずす" in on
    client.post("/ruby/", {"ruby": "off", "next": "/"})
    assert "<ruby>" not in client.get("/procedures/jido-teate/").content.decode()


def test_the_switch_never_sends_elsewhere(demo) -> None:
    response = Client().post("/ruby/", {"ruby": "on", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert Client().get("/ruby/").status_code == 405


def test_pages_without_the_choice_are_unchanged_and_vary_by_cookie(demo) -> None:
    response = Client().get("/procedures/jido-teate/")
    assert "<ruby>" not in response.content.decode()
    assert "Cookie" in response["Vary"]


def test_no_ruby_in_english_nor_on_staff_pages(demo, staff_user) -> None:
    client = ruby_client()
    client.cookies["django_language"] = "en"
    assert "<ruby>" not in client.get("/procedures/jido-teate/").content.decode()
    staff = staff_login(Client(), staff_user)
    staff.cookies[COOKIE] = "1"
    assert "<ruby>" not in staff.get("/staff/").content.decode()


def test_scripts_titles_options_and_text_areas_stay_plain() -> None:
    page = (
        "<html><head><title>児童手当</title><script>var a='児童手当';</script></head><body>"
        "<p class=\"x\" title=\"児童手当\">児童手当 &amp; 申請</p>"
        "<select><option>児童手当</option></select><textarea>児童手当</textarea>"
        "<svg><text>児童手当</text></svg><!-- 児童手当 --></body></html>"
    )
    out = add_ruby(page)
    assert out.count("<ruby>") == 2
    assert '<p class="x" title="児童手当"><ruby>児童手当' in out
    assert "&amp; <ruby>申請" in out
    for kept in ("<title>児童手当</title>", "var a='児童手当';", "<option>児童手当</option>",
                 "<textarea>児童手当</textarea>", "<text>児童手当</text>", "<!-- 児童手当 -->"):
        assert kept in out


def test_the_city_dictionary_wins_on_the_pages(demo) -> None:
    RubyReading.objects.create(word="児童手当", reading="こどもてあて")
    forget_dictionary()
    assert "<rt aria-hidden=\"true\">こどもてあて</rt>" in ruby_client().get(
        "/procedures/jido-teate/").content.decode()


@pytest.mark.parametrize("role", ["head", "admin"])
def test_heads_keep_the_dictionary_and_it_is_audited(demo, role) -> None:
    client = staff_login(Client(), member(role, "kosodate"))
    assert client.get("/staff/ruby/").status_code == 200
    response = client.post("/staff/ruby/", {"word": "児童手当", "reading": "ｺﾄﾞﾓﾃｱﾃ"})
    assert response.status_code == 302
    entry = RubyReading.objects.get(word="児童手当")
    assert entry.reading == "こどもてあて"
    assert AuditEvent.objects.filter(action="ruby.reading.save").exists()
    page = ruby_client().get("/procedures/jido-teate/").content.decode()
    assert "<rt aria-hidden=\"true\">こどもてあて</rt>" in page
    client.post(f"/staff/ruby/{entry.pk}/delete/")
    assert not RubyReading.objects.filter(word="児童手当").exists()
    assert AuditEvent.objects.filter(action="ruby.reading.delete").exists()


def test_a_reading_must_be_kana(demo) -> None:
    client = staff_login(Client(), member("admin", "kosodate"))
    response = client.post("/staff/ruby/", {"word": "上小路", "reading": "kamikoji"})
    assert response.status_code == 422
    assert "ひらがなだけ" in response.content.decode()
    assert not RubyReading.objects.filter(word="上小路").exists()


def test_saving_a_listed_word_corrects_its_reading(demo) -> None:
    RubyReading.objects.update_or_create(word="緑ヶ丘", defaults={"reading": "みどりおか"})
    client = staff_login(Client(), member("admin", "kosodate"))
    response = client.post("/staff/ruby/", {"word": "緑ヶ丘", "reading": "みどりがおか"})
    assert response.status_code == 302
    assert RubyReading.objects.get(word="緑ヶ丘").reading == "みどりがおか"
