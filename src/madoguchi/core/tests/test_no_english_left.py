"""No English interface text is left on a resident page shown in another language.

The completeness test checks the catalogs; this one checks the pages: a resident page rendered in
each resident language must not show the English source of any resident msgid whose translation
differs (text written in a template without gettext, or a msgid that escaped extraction, would).
"""

from __future__ import annotations

import html
import importlib.util
import re
from functools import cache, lru_cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import to_locale

from madoguchi.core import languages

ROOT = Path(__file__).resolve().parents[4]
LOCALE_DIR = ROOT / "src" / "madoguchi" / "locale"
PAGES = (
    "/", "/navi/", "/search/?q=%E5%85%90%E7%AB%A5%E6%89%8B%E5%BD%93", "/procedures/jido-teate/",
    "/reservations/", "/faq/", "/account/signup/", "/account/login/",
    "/account/password/reset/", "/tickets/", "/pre/",
)
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdif]|%[sdif]|\{[a-z_0-9]*\}|<[^>]+>")
OTHER_LANGUAGES = [code for code in languages.RESIDENT_LANGUAGES if code not in ("ja", "en")]


@lru_cache(maxsize=1)
def _resident_keys() -> frozenset[tuple[str | None, str]]:
    spec = importlib.util.spec_from_file_location("resident_msgids",
                                                  ROOT / "scripts" / "resident_msgids.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.resident_keys())


@cache
def english_fragments(language: str) -> tuple[str, ...]:
    """English source fragments (12+ characters, with a space) of translated resident msgids."""
    catalog = polib.pofile(str(LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"))
    keys = _resident_keys()
    fragments: set[str] = set()
    for entry in catalog:
        if (entry.msgctxt, entry.msgid) not in keys or not entry.translated():
            continue
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        for part in PLACEHOLDER.split(entry.msgid):
            part = " ".join(part.split()).strip(" .,:;")
            if len(part) >= 12 and " " in part and not any(part in t for t in translations):
                fragments.add(part)
    return tuple(sorted(fragments, key=len, reverse=True))


def visible_text(content: str) -> str:
    """The page's text as a reader meets it: no tags, scripts, styles or ruby readings, and
    without the language switch (which names every language in its own language)."""
    content = re.sub(r"(?s)<(script|style|rt|rp)\b.*?</\1>", " ", content)
    content = re.sub(r'(?s)<details class="lang-switch">.*?</details>', " ", content)
    content = re.sub(r"<[^>]+>", " ", content)
    return " ".join(html.unescape(content).split())


@pytest.mark.django_db
@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_resident_pages_show_no_english(demo, language):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    fragments = english_fragments(language)
    assert fragments, "the catalog has no translated resident msgids"
    left: dict[str, list[str]] = {}
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.content.decode())
        found = [f for f in fragments if f in text]
        if found:
            left[path] = found[:5]
    assert not left, f"English left on {language} pages: {left}"


@pytest.mark.django_db
def test_the_check_finds_english(demo):
    """The same check on the English page finds the English text (so it can fail)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = visible_text(client.get("/account/login/").content.decode())
    assert any(f in text for f in english_fragments("vi"))
