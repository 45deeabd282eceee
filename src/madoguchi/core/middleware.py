"""Response headers that Django's SecurityMiddleware does not set."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Pages that are the same for every visitor who is not signed in and show nothing the visitor
# typed: only these may be kept by browsers and caches. Every other response (signed-in pages,
# secret-link pages such as a booking's manage page, forms and their errors, search results,
# downloads, error pages, and any page added later) gets ``Cache-Control: no-store``.
PUBLIC_PAGES = frozenset({
    "catalog:home",
    "catalog:procedure",
    "catalog:navi",
    "faq:index",
    "faq:entry",
    "reservations:index",
    "healthz",
})


def _is_public(request: HttpRequest, response: HttpResponse) -> bool:
    """A public page seen by a visitor without an account, a session or a pending message."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in PUBLIC_PAGES:
        return False
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # A session or a flash message may put the visitor's own things on the page.
    return not any(name in request.COOKIES
                   for name in (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name))


class SecurityHeadersMiddleware:
    """Adds a permissions policy and keeps every page that may show personal data out of caches.

    No-store is the default: a response is left cacheable only when it is one of
    ``PUBLIC_PAGES`` for an anonymous visitor, or when its view set ``Cache-Control`` itself
    (public reference data such as the postal-code lookup). Static files never reach here
    (WhiteNoise answers them first, with far-future caching).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if not _is_public(request, response):
            response.setdefault("Cache-Control", "no-store")
        return response


class LanguageMiddleware:
    """Japanese unless the visitor chose another language with the switch (a cookie).

    The browser's Accept-Language is deliberately ignored: a city's pages open in Japanese on
    every device, and the language switch in the header is one click away.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))  # the language cookie chooses the text
        translation.deactivate()
        return response
