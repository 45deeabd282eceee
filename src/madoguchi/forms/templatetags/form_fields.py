"""Template helpers for field types whose template needs more than ``field`` and ``raw``."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def group_rows(field: Any, raw: Any, error: str = "", feedback: Any = None) -> list[dict]:
    """The rows of a repeating group to show: legend, sub-fields with raw values and errors."""
    return field.template_rows(raw, error, feedback)
