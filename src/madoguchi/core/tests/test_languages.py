"""The resident languages: the page's language, the switch, the offer, ruby and fallback marks."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from madoguchi.catalog.models import Procedure
from madoguchi.catalog.ruby import COOKIE as RUBY_COOKIE
from madoguchi.conftest import client_for
from madoguchi.core import languages

COOKIE = settings.LANGUAGE_COOKIE_NAME
PROCEDURE = "/procedures/jido-teate/"


def visitor(language: str = "", accept: str = "", **cookies: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=accept) if accept else Client()
    if language:
        client.cookies[COOKIE] = language
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def html_lang(content: bytes) -> str:
    return re.search(r'<html lang="([^"]+)"', content.decode())[1]


def switch_choices(content: bytes) -> list[tuple[str, str]]:
    """(value, lang) of the header switch's buttons."""
    switch = re.search(r'(?s)<details class="lang-switch">.*?</details>', content.decode())[0]
    return re.findall(r'name="language" value="([^"]+)" lang="([^"]+)"', switch)


def offer(content: bytes) -> str:
    found = re.search(r'(?s)<aside class="language-offer".*?</aside>', content.decode())
    return found[0] if found else ""


# --- helpers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("ja", "ja"),
        ("en", "en"),
        ("zh-hans", "zh-Hans"),
        ("pt-br", "pt-BR"),
        ("ko", "ko"),
        ("vi", "vi"),
        ("ja-easy", "ja"),
    ],
)
def test_html_lang_uses_bcp47_casing(code, tag):
    assert languages.html_lang(code) == tag


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        ("fr-FR,pt-BR;q=0.8", "pt-br"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("ja-JP,en;q=0.5", "ja"),
        ("de-DE,fr;q=0.5", ""),
        ("", ""),
        ("en;q=0.2,ko;q=0.9", "ko"),
    ],
)
def test_the_preferred_language_of_a_browser(header, code):
    assert languages.preferred(header) == code


def test_settings_list_every_resident_language_and_django_knows_them():
    assert [code for code, _name in settings.LANGUAGES] == list(languages.RESIDENT_LANGUAGES)
    for code in languages.RESIDENT_LANGUAGES:
        assert translation.check_for_language(code), code
    assert translation.get_language_info("ja-easy")["name_local"] == "やさしい にほんご"
    assert translation.to_locale("ja-easy") == "ja_Easy"


# --- the page's language --------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cookie", "tag"),
    [
        ("", "ja"),
        ("vi", "vi"),
        ("zh-hans", "zh-Hans"),
        ("pt-br", "pt-BR"),
        ("en", "en"),
        ("ja-easy", "ja"),
        ("xx", "ja"),
    ],
)
def test_resident_pages_speak_the_chosen_language(demo, cookie, tag):
    response = visitor(cookie).get("/")
    assert response.status_code == 200
    assert html_lang(response.content) == tag
    assert response["Content-Language"] == tag


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cookie", "tag"),
    [
        ("", "ja"),
        ("en", "en"),
        ("vi", "ja"),
        ("zh-hans", "ja"),
        ("ja-easy", "ja"),
    ],
)
def test_staff_pages_speak_japanese_or_english_only(demo, cookie, tag):
    response = visitor(cookie).get("/staff/login/")
    assert response.status_code == 200
    assert html_lang(response.content) == tag
    assert response["Content-Language"] == tag
    assert 'data-language="ja-easy"' not in response.content.decode()


@pytest.mark.django_db
def test_signed_in_staff_keep_japanese_with_a_resident_language(staff_user):
    client = client_for(staff_user)
    client.cookies[COOKIE] = "ko"
    response = client.get("/staff/")
    assert response.status_code == 200
    assert html_lang(response.content) == "ja"
    assert switch_choices(response.content) == [("ja", "ja"), ("en", "en")]


@pytest.mark.django_db
def test_easy_japanese_is_japanese_marked_as_easy(demo):
    response = visitor("ja-easy").get("/")
    assert '<html lang="ja" data-language="ja-easy">' in response.content.decode()


# --- the switch -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_switch_lists_every_resident_language_in_itself(demo):
    content = visitor().get("/").content
    assert switch_choices(content) == [
        ("ja", "ja"),
        ("ja-easy", "ja"),
        ("en", "en"),
        ("zh-hans", "zh-Hans"),
        ("ko", "ko"),
        ("vi", "vi"),
        ("pt-br", "pt-BR"),
    ]
    text = content.decode()
    for language in languages.LANGUAGES:
        assert f">{language.native_name}</button>" in text
    assert 'value="ja" lang="ja" aria-current="true"' in text


@pytest.mark.django_db
def test_the_switch_on_staff_pages_lists_japanese_and_english(demo):
    assert switch_choices(visitor("vi").get("/staff/login/").content) == [
        ("ja", "ja"),
        ("en", "en"),
    ]


@pytest.mark.django_db
def test_switching_keeps_the_choice_for_a_year(demo):
    client = visitor()
    response = client.post("/i18n/setlang/", {"language": "vi", "next": PROCEDURE})
    assert response.status_code == 302 and response["Location"] == PROCEDURE
    cookie = response.cookies[COOKIE]
    assert cookie.value == "vi" and int(cookie["max-age"]) == 365 * 24 * 3600
    assert html_lang(client.get(PROCEDURE).content) == "vi"


# --- the offer --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_browser_preferring_vietnamese_is_offered_it_on_a_japanese_page(demo):
    response = visitor(accept="vi-VN,vi;q=0.9,ja;q=0.5").get(PROCEDURE)
    assert html_lang(response.content) == "ja"  # the site still opens in Japanese
    line = offer(response.content)
    assert 'name="language" value="vi"' in line and '<span lang="vi">Tiếng Việt</span>' in line
    assert 'name="language" value="ja"' in line  # "no thanks" keeps Japanese
    assert f'name="next" value="{PROCEDURE}"' in line
    with translation.override("vi"):
        wanted = translation.gettext("This page is also available in %(language)s.") % {
            "language": '<span lang="vi">Tiếng Việt</span>'
        }
        translated = wanted != 'このページは<span lang="vi">Tiếng Việt</span>でもご覧いただけます。'
    assert wanted in line
    # Marked as Vietnamese once the catalog has the line, as Japanese (its fallback) until then.
    assert line.startswith(f'<aside class="language-offer" lang="{"vi" if translated else "ja"}"')
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"cookie", "accept-language"} <= vary
    assert response["Vary"].lower().count("cookie") == 1


@pytest.mark.django_db
def test_the_offer_is_written_in_the_offered_language(demo):
    """English, the catalog complete today: the offer is English on a Japanese page."""
    response = visitor(accept="en-US,en;q=0.9").get("/")
    assert html_lang(response.content) == "ja"
    line = offer(response.content)
    assert line.startswith('<aside class="language-offer" lang="en"')
    assert 'This page is also available in <span lang="en">English</span>.' in line
    assert ">No thanks<" in line
    assert "Find a procedure" not in response.content.decode()  # the page itself is Japanese


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cookie", "accept", "path"),
    [
        ("", "ja-JP,ja;q=0.9,en;q=0.8", "/"),  # the browser prefers Japanese
        ("", "de-DE,fr;q=0.8", "/"),  # nothing Madoguchi speaks
        ("", "", "/"),
        ("ja", "vi-VN,vi;q=0.9", "/"),  # dismissed: the visitor chose Japanese
        ("vi", "vi-VN,vi;q=0.9", "/"),  # already chosen
        ("", "vi-VN,vi;q=0.9", "/staff/login/"),  # staff pages never offer
    ],
)
def test_no_offer(demo, cookie, accept, path):
    response = visitor(cookie, accept).get(path)
    assert response.status_code == 200
    assert not offer(response.content)


@pytest.mark.django_db
def test_dismissing_the_offer_keeps_japanese(demo):
    client = visitor(accept="ko-KR,ko;q=0.9")
    assert 'value="ko"' in offer(client.get("/").content)
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    response = client.get("/")
    assert not offer(response.content)
    assert html_lang(response.content) == "ja"


@pytest.mark.django_db
def test_staff_pages_do_not_vary_on_accept_language(demo):
    response = visitor().get("/staff/login/")
    assert "accept-language" not in response["Vary"].lower()


# --- ふりがな with やさしい日本語 ----------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "ruby_cookie", "ruby"),
    [
        ("ja-easy", None, True),  # on by default
        ("ja-easy", "0", False),  # turned off explicitly
        ("ja-easy", "1", True),
        ("ja", None, False),
        ("ja", "1", True),
        ("vi", "1", False),  # not a Japanese page
    ],
)
def test_easy_japanese_has_furigana_unless_turned_off(demo, language, ruby_cookie, ruby):
    cookies = {RUBY_COOKIE: ruby_cookie} if ruby_cookie else {}
    content = visitor(language, **cookies).get(PROCEDURE).content.decode()
    assert ("<ruby>" in content) is ruby
    if language.startswith("ja"):
        with translation.override(language):
            switch = gettext("Hide furigana") if ruby else gettext("Show furigana")
        # The switch's own kanji carry ruby too: compare the text without the readings.
        plain = re.sub(r"<rt[^>]*>.*?</rt>|<rp[^>]*>.*?</rp>|</?ruby>", "", content)
        assert switch in plain


@pytest.mark.django_db
def test_turning_furigana_off_is_kept_explicitly(demo):
    client = visitor("ja-easy")
    response = client.post("/ruby/", {"ruby": "off", "next": PROCEDURE})
    assert response.cookies[RUBY_COOKIE].value == "0"
    assert "<ruby>" not in client.get(PROCEDURE).content.decode()
    client.post("/ruby/", {"ruby": "on", "next": PROCEDURE})
    assert "<ruby>" in client.get(PROCEDURE).content.decode()


# --- fallback to Japanese, marked -----------------------------------------------------------------
def render(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load madoguchi %}" + source).render(Context(context))


def test_trh_marks_text_that_falls_back_to_japanese():
    value = {"ja": "児童手当", "en": "Child allowance"}
    assert render("{{ v|trh }}", "en", v=value) == "Child allowance"
    marked = render("{{ v|trh }}", "vi", v=value)
    assert marked.startswith('<span lang="ja" class="lang-fallback">児童手当</span>')
    assert 'class="lang-fallback__mark"' in marked
    # The mark is in the page's language.
    assert ">Japanese only</small>" in render("{{ v|trh }}", "en", v={"ja": "児童手当"})


def test_trh_does_not_mark_japanese_or_easy_japanese():
    value = {"ja": "児童手当"}
    assert render("{{ v|trh }}", "ja", v=value) == "児童手当"
    assert render("{{ v|trh }}", "ja-easy", v=value) == "児童手当"  # both are Japanese


def test_trh_escapes_and_formats_paragraphs():
    value = {"ja": "一行目<b>\n\n二段落目"}
    html = render('{{ v|trh:"linebreaks" }}', "ko", v=value)
    assert html.startswith('<div lang="ja" class="lang-fallback"><p>一行目&lt;b&gt;</p>')
    assert "<p>二段落目</p></div>" in html
    assert render("{{ v|tr }}", "ko", v=value) == "一行目&lt;b&gt;\n\n二段落目"


@pytest.mark.django_db
def test_a_procedure_in_vietnamese_marks_its_japanese_text(demo):
    procedure = Procedure.objects.get(slug="jido-teate")
    procedure.name = {"ja": procedure.name["ja"], "en": procedure.name["en"]}  # no vi text
    procedure.save(update_fields=["name"])
    content = visitor("vi").get(PROCEDURE).content.decode()
    heading = re.search(r"(?s)<h1>(.*?)</h1>", content)[1]
    assert heading.startswith('<span lang="ja" class="lang-fallback">児童手当')
    assert 'class="lang-fallback__mark"' in heading
    english = visitor("en").get(PROCEDURE).content.decode()
    assert "lang-fallback" not in re.search(r"(?s)<h1>(.*?)</h1>", english)[1]


@pytest.mark.django_db
def test_the_demo_procedure_is_shown_in_vietnamese(demo):
    """The demo ships its content translated: no fallback mark on the procedure's heading."""
    content = visitor("vi").get(PROCEDURE).content.decode()
    heading = re.search(r"(?s)<h1>(.*?)</h1>", content)[1]
    assert "nhi đồng" in heading and "lang-fallback" not in heading
