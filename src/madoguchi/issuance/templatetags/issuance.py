"""Template helpers for the document snippets on the case and resident pages."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from madoguchi.applications.models import Application

from .. import selectors
from ..models import IssuedDocument

register = template.Library()


@register.simple_tag
def issued_documents(application: Application) -> list[IssuedDocument]:
    """``{% issued_documents application as documents %}``: newest first."""
    return list(selectors.documents_for(application))


@register.filter
def breakable(value: str, every: int = 16) -> str:
    """A long unbroken string (a hash) that may wrap on narrow screens every ``every`` chars."""
    text = str(value)
    return mark_safe("<wbr>".join(escape(text[i:i + every]) for i in range(0, len(text), every)))  # noqa: S308 - parts are escaped
