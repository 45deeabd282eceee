"""The city shown in every page's header and footer, and named in every notice."""

from __future__ import annotations

from django.http import HttpRequest

from .ruby import ruby_wanted
from .selectors import city_for_display


def city(request: HttpRequest) -> dict[str, object]:
    return {"city": city_for_display(), "ruby_on": ruby_wanted(request)}


def notice_city() -> dict[str, object]:
    """The city for the notices' templates (registered with the channels in ``ready()``)."""
    return {"city": city_for_display()}
