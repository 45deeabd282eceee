"""Template helpers used on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.defaultfilters import linebreaks_filter, linebreaksbr
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from madoguchi.core import languages
from madoguchi.core.dates import display_date, display_datetime
from madoguchi.core.i18n import localized, resolve

register = template.Library()

_BLOCK_FORMATS = {"linebreaks": linebreaks_filter, "linebreaksbr": linebreaksbr}


@register.filter
def tr(value: Any) -> str:
    """Multilingual content in the active language, as plain text (for attributes and titles)."""
    return localized(value)


@register.filter
def trh(value: Any, fmt: str = "") -> SafeString:
    """Multilingual content in the active language, as HTML that marks a fallback to Japanese.

    Text that is missing in the page's language and shown in Japanese instead is wrapped in an
    element with ``lang="ja"`` (so screen readers switch voice) followed by a small 「日本語のみ」
    marker in the page's language. ``fmt`` is ``"linebreaks"`` (paragraphs; the text is then
    wrapped in a ``div``) or ``"linebreaksbr"``; by default the text stays on one line (``span``).
    やさしい日本語 falling back to ordinary Japanese is not marked: both are Japanese.
    """
    text, used = resolve(value)
    page = translation.get_language() or languages.BASE_LANGUAGE
    formatter = _BLOCK_FORMATS.get(fmt)
    body: SafeString = formatter(text, autoescape=True) if formatter else conditional_escape(text)
    if not text or languages.html_lang(used) == languages.html_lang(page):
        return body
    tag = "div" if fmt == "linebreaks" else "span"
    return format_html(
        '<{} lang="{}" class="lang-fallback">{}</{}> <small class="lang-fallback__mark">{}</small>',
        tag,
        languages.html_lang(used),
        body,
        tag,
        _("Japanese only"),
    )


@register.filter
def html_lang(code: str | None) -> str:
    """A language code as the BCP 47 tag of a ``lang`` attribute (zh-Hans, pt-BR; ja-easy → ja)."""
    return languages.html_lang(code or languages.BASE_LANGUAGE)


def _choices(request: HttpRequest | None) -> tuple[str, ...]:
    staff = request is not None and languages.is_staff_path(request.path_info)
    return languages.STAFF_LANGUAGES if staff else languages.RESIDENT_LANGUAGES


@register.inclusion_tag("core/includes/language_switch.html", takes_context=True)
def language_switch(context: template.Context) -> dict[str, Any]:
    """The header's language switch: every resident language, or ja/en on staff pages."""
    request = context.get("request")
    current = translation.get_language() or languages.BASE_LANGUAGE
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "current": current,
        "choices": [
            {
                "code": code,
                "name": languages.BY_CODE[code].native_name,
                "lang": languages.html_lang(code),
                "current": code == current,
            }
            for code in _choices(request)
        ],
    }


OFFER = "This page is also available in %(language)s."  # the offer's line (language_offer.html)


@register.simple_tag(takes_context=True)
def language_offer(context: template.Context) -> str:
    """One line, in the language the browser prefers, offering to show the site in it.

    Empty unless :class:`~madoguchi.core.middleware.LanguageMiddleware` found a language to
    offer (a resident page, no choice made yet). Rendered with that language's catalog.
    """
    request = context.get("request")
    code = getattr(request, "language_offer", "")
    if request is None or not code:
        return ""
    tag = languages.html_lang(code)
    with translation.override(languages.BASE_LANGUAGE):
        japanese = _(OFFER)
    with translation.override(code):
        # Until the language's catalog has the offer its text is Japanese: tell screen readers.
        lang = tag if _(OFFER) != japanese else languages.BASE_LANGUAGE
        return render_to_string(
            "core/includes/language_offer.html",
            {
                "code": code,
                "lang": lang,
                "name": format_html(
                    '<span lang="{}">{}</span>', tag, languages.BY_CODE[code].native_name
                ),
                "next": request.get_full_path(),
                "csrf_token": get_token(request),
            },
        )


@register.filter
def jdate(value: dt.date | None) -> str:
    return display_date(value)


@register.filter
def jdatetime(value: dt.datetime | None) -> str:
    return display_datetime(value)
