"""Response headers that Django's SecurityMiddleware does not set."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from madoguchi.core import languages

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
    """Japanese unless the visitor chose another language (the header switch or the offer).

    The choice is a cookie. Resident pages speak every language of :mod:`core.languages`;
    staff pages (under ``/staff/``) speak Japanese or English only, so a resident language other
    than English shows them in Japanese. The browser's Accept-Language never changes the page's
    language (a city's pages open in Japanese on every device), but a visitor who has not chosen
    and whose browser prefers another language Madoguchi speaks is offered it in one line
    (``request.language_offer``; rendered by ``{% language_offer %}``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        staff = languages.is_staff_path(request.path_info)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen not in dict(settings.LANGUAGES):
            chosen = ""
        language = languages.for_page(chosen, staff)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        offer = ""
        if not staff and not chosen:
            offer = languages.preferred(request.headers.get("Accept-Language", ""))
            if languages.html_lang(offer) == languages.BASE_LANGUAGE:
                offer = ""  # Japanese (or nothing Madoguchi speaks): nothing to offer
        request.language_offer = offer  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", languages.html_lang(language))
        # The language cookie chooses the text; on resident pages Accept-Language the offer.
        patch_vary_headers(response, ("Cookie",) if staff else ("Cookie", "Accept-Language"))
        translation.deactivate()
        return response
