"""Dates shown to people: 和暦 with the Western year in Japanese, plain English in English, and
the locale's own date format in the other resident languages."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone, translation

from madoguchi.jp.wareki import format_wareki_with_western


def display_date(value: dt.date | None) -> str:
    """令和8年（2026年）11月23日 in Japanese; 23 November 2026 in English; in another resident
    language as its own locale writes a date (Ngày 23 tháng 11 năm 2026, 2026년 11월 23일)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if (translation.get_language() or "ja").startswith("ja"):
        return format_wareki_with_western(value)
    if (translation.get_language() or "en").split("-")[0] != "en":
        return formats.date_format(value, "DATE_FORMAT")
    return f"{value.day} {value.strftime('%B')} {value.year}"


def display_datetime(value: dt.datetime | None) -> str:
    """Date as in :func:`display_date` plus the time in JST (24-hour clock)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{display_date(local.date())} {local:%H:%M}"
