"""Template helpers used on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from madoguchi.core.dates import display_date, display_datetime
from madoguchi.core.i18n import localized

register = template.Library()


@register.filter
def tr(value: Any) -> str:
    """Bilingual content in the active language."""
    return localized(value)


@register.filter
def jdate(value: dt.date | None) -> str:
    return display_date(value)


@register.filter
def jdatetime(value: dt.datetime | None) -> str:
    return display_datetime(value)
