"""ふりがな on resident pages: the switch, the city's dictionary and a cache.

A resident turns ふりがな on with the switch in the page header (a form: it works without
JavaScript); the choice is kept in a cookie. やさしい日本語 pages have it on unless the resident
turned it off (the cookie then says so explicitly). :class:`RubyMiddleware` adds ``<ruby>`` over
the kanji of every Japanese resident page, text node by text node, leaving scripts, styles, form
controls' texts and SVG alone. Readings come from :mod:`madoguchi.jp.furigana`; the city's own
readings (:class:`~madoguchi.catalog.models.RubyReading`) win. Each text node's markup is cached,
so a page seen before costs a dictionary look-up per node; the city's readings are re-read at most
every ``MADOGUCHI_RUBY_DICTIONARY_TTL`` seconds (each process), so a change reaches every server.
"""

from __future__ import annotations

import functools
import html
import re
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from madoguchi.core import languages
from madoguchi.jp.furigana import HAS_KANJI, ruby_html

from .models import RubyReading

COOKIE = "madoguchi_ruby"
ON, OFF = "1", "0"  # the cookie's values; no cookie: on for やさしい日本語 only

# Regions whose text must stay plain: scripts and styles, texts of form controls and of the
# title, SVG (its <text> cannot hold ruby), and ruby that is already there.
_HTML = re.compile(
    r"<!--.*?-->"
    r"|<(script|style|textarea|title|option|svg|ruby|head)\b.*?</\1\s*>"
    r"|<[^>]*>"
    r"|[^<]+",
    re.S | re.I,
)


class _Dictionary:
    """The city's readings, re-read when they changed, at most every TTL seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked = 0.0
        self._stamp: tuple[object, object] | None = None
        self.words: dict[str, str] = {}
        self.version = 0

    def refresh(self, force: bool = False) -> None:
        ttl = getattr(settings, "MADOGUCHI_RUBY_DICTIONARY_TTL", 30)
        now = time.monotonic()
        if not force and now - self._checked < ttl:
            return
        with self._lock:
            if not force and now - self._checked < ttl:
                return
            stamp = RubyReading.objects.aggregate(n=Count("id"), last=Max("updated_at"))
            key = (stamp["n"], stamp["last"])
            if key != self._stamp:
                self.words = dict(RubyReading.objects.values_list("word", "reading"))
                self._stamp = key
                self.version += 1
            self._checked = now


dictionary = _Dictionary()


def forget_dictionary() -> None:
    """Re-read the city's readings at the next page (after a change in this process)."""
    dictionary._checked = 0.0


@functools.lru_cache(maxsize=20_000)
def _ruby_node(text: str, version: int) -> str:
    return ruby_html(html.unescape(text), dictionary.words)


def add_ruby(page: str) -> str:
    """``page`` (HTML) with ruby over the kanji of its text nodes."""
    dictionary.refresh()
    version = dictionary.version
    out = []
    for match in _HTML.finditer(page):
        chunk = match.group()
        if chunk[0] != "<" and HAS_KANJI.search(chunk):
            chunk = _ruby_node(chunk, version)
        out.append(chunk)
    return "".join(out)


def ruby_wanted(request: HttpRequest) -> bool:
    """ふりがな on a Japanese resident page: the resident turned it on, or reads やさしい日本語
    (ruby by default there) and did not turn it off."""
    language = get_language() or ""
    if languages.is_staff_path(request.path_info) or languages.html_lang(language) != "ja":
        return False
    choice = request.COOKIES.get(COOKIE)
    return choice == ON or (language == "ja-easy" and choice != OFF)


class RubyMiddleware:
    """Add ruby to Japanese HTML pages for residents who asked for it (or when a view sets
    ``response.ruby = True``, e.g. a screen the city shows with ruby)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Vary: Cookie is set for every page by core's LanguageMiddleware (the language cookie).
        wanted = getattr(response, "ruby", None)
        if wanted is None:
            wanted = ruby_wanted(request)
        elif wanted:
            wanted = languages.html_lang(get_language() or "") == "ja"
        if (
            wanted
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.has_header("Content-Encoding")
        ):
            charset = response.charset or "utf-8"
            response.content = add_ruby(response.content.decode(charset)).encode(charset)
        return response
