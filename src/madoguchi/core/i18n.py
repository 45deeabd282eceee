"""Content stored as ``{language code: text}`` objects (Japanese required, any other optional)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

from madoguchi.core import languages


def resolve(value: Any, language: str | None = None) -> tuple[str, str]:
    """The text for ``language`` (default: the active one) and the language it is actually in.

    A missing translation falls back along :func:`languages.chain` (so to Japanese); the second
    item tells the caller it fell back, so a page can mark the text ``lang="ja"``.
    """
    wanted = language or translation.get_language() or settings.LANGUAGE_CODE
    if value is None:
        return "", languages.normalize(wanted) or languages.BASE_LANGUAGE
    if isinstance(value, str):
        return value, languages.normalize(wanted) or languages.BASE_LANGUAGE
    if isinstance(value, dict):
        for code in languages.chain(wanted):
            text = value.get(code)
            if text:
                return str(text), code
        for code, text in value.items():
            if text:
                return str(text), str(code)
        return "", languages.BASE_LANGUAGE
    return str(value), languages.normalize(wanted) or languages.BASE_LANGUAGE


def localized(value: Any, language: str | None = None) -> str:
    """Pick the text for the active language, falling back to Japanese, then any text."""
    return resolve(value, language)[0]
