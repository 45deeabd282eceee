"""What the counter shows on the staff case page (see ``applications.case_panels``)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from madoguchi.applications.models import Application

from . import selectors, signature


def signature_panel(application: Application) -> SafeString | str:
    """The resident's signature given on the counter's screen for this application, if any."""
    found = selectors.application_signature(application.pk)
    if found is None:
        return ""
    row, value = found
    return mark_safe(render_to_string(  # noqa: S308  # a template, autoescaped
        "counter/_signature_panel.html",
        {"signed": signature.shown(value), "row": row}))
