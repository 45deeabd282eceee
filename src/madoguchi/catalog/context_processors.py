"""The city shown in every page's header and footer."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import get_city


def city(request: HttpRequest) -> dict[str, object]:
    return {"city": get_city()}
