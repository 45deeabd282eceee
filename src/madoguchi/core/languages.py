"""The languages Madoguchi speaks, and how content falls back when a translation is missing.

Content that residents read is stored as ``{language code: text}`` objects with Japanese required;
any of :data:`CONTENT_LANGUAGES` may be present. User-interface text comes from the gettext
catalogs: resident pages offer every language here, staff pages only :data:`STAFF_LANGUAGES`.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_LANGUAGE = "ja"


@dataclass(frozen=True)
class Language:
    """One language: its code (BCP 47, lower case as Django uses it) and how it names itself."""

    code: str
    native_name: str
    english_name: str
    fallback: str = BASE_LANGUAGE  # the language whose text stands in for a missing translation


LANGUAGES: tuple[Language, ...] = (
    Language("ja", "日本語", "Japanese", fallback=""),
    Language("ja-easy", "やさしい にほんご", "Easy Japanese"),
    Language("en", "English", "English"),
    Language("zh-hans", "简体中文", "Chinese (Simplified)"),
    Language("ko", "한국어", "Korean"),
    Language("vi", "Tiếng Việt", "Vietnamese"),
    Language("pt-br", "Português (Brasil)", "Portuguese (Brazil)"),
)
BY_CODE = {language.code: language for language in LANGUAGES}
CONTENT_LANGUAGES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
RESIDENT_LANGUAGES = CONTENT_LANGUAGES
STAFF_LANGUAGES: tuple[str, ...] = ("ja", "en")
TRANSLATED_LANGUAGES: tuple[str, ...] = tuple(c for c in CONTENT_LANGUAGES if c != BASE_LANGUAGE)


def normalize(code: str | None) -> str:
    """A known language code for ``code`` (``zh-Hans``, ``pt_BR``, ``vi-VN`` ...), or ``''``."""
    if not code:
        return ""
    code = code.strip().lower().replace("_", "-")
    if code in BY_CODE:
        return code
    if code.startswith("zh") and ("hans" in code or code in {"zh", "zh-cn", "zh-sg"}):
        return "zh-hans"
    if code.startswith("pt"):
        return "pt-br"
    primary = code.split("-", 1)[0]
    return primary if primary in BY_CODE else ""


def chain(code: str | None) -> tuple[str, ...]:
    """The languages to try for ``code``, best first, ending with Japanese."""
    wanted = normalize(code) or BASE_LANGUAGE
    order = [wanted]
    while (fallback := BY_CODE[order[-1]].fallback) and fallback not in order:
        order.append(fallback)
    if BASE_LANGUAGE not in order:
        order.append(BASE_LANGUAGE)
    return tuple(order)


# Every back-office URL lives under /staff/ (staff, counter, BPR, approvals, payments, ruby ...).
STAFF_PATH_PREFIX = "/staff/"


def is_staff_path(path: str) -> bool:
    """Whether ``path`` (a request's ``path_info``) is a staff page, which speaks ja or en only."""
    return path.startswith(STAFF_PATH_PREFIX)


def for_page(code: str | None, staff: bool) -> str:
    """The language a page is shown in when the visitor chose ``code``.

    Resident pages speak every language; staff pages English or Japanese (Japanese for every
    resident language other than English).
    """
    wanted = code if code in BY_CODE else BASE_LANGUAGE
    if staff and wanted not in STAFF_LANGUAGES:
        return BASE_LANGUAGE
    return wanted


def html_lang(code: str) -> str:
    """``code`` as a BCP 47 tag for ``lang`` and ``Content-Language`` (zh-Hans, pt-BR).

    やさしい日本語 has no tag of its own: it is Japanese (``ja``), marked on the page apart.
    """
    if code == "ja-easy":
        return "ja"
    primary, _, rest = code.partition("-")
    if not rest:
        return primary
    return f"{primary}-{rest.title() if len(rest) > 2 else rest.upper()}"


def preferred(accept_language: str) -> str:
    """The first language of an Accept-Language header that Madoguchi speaks, or ``''``."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    for tag, _quality in parse_accept_lang_header(accept_language or ""):
        if tag == "*":
            continue
        code = normalize(tag)
        if code:
            return code
    return ""
