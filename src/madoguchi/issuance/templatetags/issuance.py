"""Template helpers for the document snippets on the case and resident pages."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from madoguchi.applications.models import Application
from madoguchi.applications.services import issuable_kinds

from .. import pdf, selectors
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


@register.simple_tag
def issuance_problem(application: Application) -> dict[str, object] | None:
    """Why a notice for this case would not, or might not, print on this server now (fonts
    missing, with the package and the command), when the case is waiting for one.

    ``{"message": ..., "blocking": True}`` when no notice can be made, ``blocking`` False when
    only names needing IPAmj明朝 would be refused; None when nothing is missing.
    """
    if not issuable_kinds(application):
        return None
    missing = pdf.missing_fonts()
    if any(font in pdf.REQUIRED_FONTS for font in missing):
        return {"message": pdf.FontMissing(missing).user_message(), "blocking": True}
    if missing:
        return {"message": pdf.name_font_missing_message(), "blocking": False}
    return None
