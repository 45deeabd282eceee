"""Template filters of the navigator (手続きナビ)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, translation

from madoguchi.core.dates import display_date
from madoguchi.jp.wareki import format_wareki

register = template.Library()


@register.filter
def deadline_date(value: dt.date | None) -> str:
    """令和8年12月14日（2026年12月14日） in Japanese, 14 December 2026 in English."""
    if value is None:
        return ""
    if (translation.get_language() or "ja").startswith("ja"):
        return f"{format_wareki(value)}（{value.year}年{value.month}月{value.day}日）"
    return display_date(value)


@register.filter
def weekday(value: dt.date | None) -> str:
    """The day of the week: 月 … 日 in Japanese (for 「月曜日」); in another language its own
    name from the locale (Monday, Thứ 2, Segunda-feira, 월요일 ...)."""
    if value is None:
        return ""
    if (translation.get_language() or "ja").startswith("ja"):
        return "月火水木金土日"[value.weekday()]
    return formats.date_format(value, "l")
