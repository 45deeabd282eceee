"""Template helpers of the staff reservation pages."""

from __future__ import annotations

from django import template

from madoguchi.jp.phone import format_phone
from madoguchi.reservations.exports import CHANNEL_LABELS

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    """A stored phone number hyphenated for reading (090-1234-5678); as stored if odd."""
    return format_phone(value) if value else ""


@register.filter
def channel(value: str) -> str:
    """How a booking was made, in words (電話, オンライン, 申請と同時)."""
    return str(CHANNEL_LABELS.get(value, value))
