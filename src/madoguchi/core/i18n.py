"""Bilingual content stored as {"ja": ..., "en": ...} objects."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation


def localized(value: Any, language: str | None = None) -> str:
    """Pick the text for the active language, falling back to Japanese, then any text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        lang = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
        return value.get(lang) or value.get("ja") or next(iter(value.values()), "") or ""
    return str(value)
