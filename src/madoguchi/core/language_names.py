"""How Madoguchi names the languages of :mod:`core.languages` to a reader (staff, residents)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import pgettext_lazy

from madoguchi.core import languages

# The name of each language in the reader's language (gettext), keyed by code.
_NAMES = {
    "ja": pgettext_lazy("language name", "Japanese"),
    "ja-easy": pgettext_lazy("language name", "Easy Japanese"),
    "en": pgettext_lazy("language name", "English"),
    "zh-hans": pgettext_lazy("language name", "Chinese (Simplified)"),
    "ko": pgettext_lazy("language name", "Korean"),
    "vi": pgettext_lazy("language name", "Vietnamese"),
    "pt-br": pgettext_lazy("language name", "Portuguese (Brazil)"),
}


def name(code: str | None) -> str:
    """The language's name in the active language, e.g. ベトナム語 for ``vi`` in Japanese."""
    known = languages.normalize(code) or languages.BASE_LANGUAGE
    label = _NAMES.get(known)
    return str(label) if label is not None else languages.BY_CODE[known].english_name


def label(code: str | None) -> str:
    """The name in the active language with the language's own name beside it when they differ:
    「ベトナム語 (Tiếng Việt)」, 「日本語」."""
    known = languages.normalize(code) or languages.BASE_LANGUAGE
    translated = name(known)
    native = languages.BY_CODE[known].native_name
    return translated if translated == native else f"{translated} ({native})"


def office_language() -> str:
    """The language staff read a resident's answers in: the active language when it is a staff
    language (Japanese or English), else Japanese, whatever language the resident used."""
    active = languages.normalize(translation.get_language())
    return active if active in languages.STAFF_LANGUAGES else languages.BASE_LANGUAGE
