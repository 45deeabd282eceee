"""Template helpers for the reservation form step."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def reservation_choices(field: Any, raw: Any) -> dict[str, Any]:
    """The services, months and free times to show for a reservation field."""
    return field.choices(raw)
