"""The city shown in every page's header and footer, and named in every notice."""

from __future__ import annotations

from django.http import HttpRequest

from .ruby import ruby_wanted
from .selectors import get_city


def city(request: HttpRequest) -> dict[str, object]:
    return {"city": get_city(), "ruby_on": ruby_wanted(request)}


def notice_city() -> dict[str, object]:
    """The city for the notices' templates (registered with the channels in ``ready()``)."""
    return {"city": get_city()}
