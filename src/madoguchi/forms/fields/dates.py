"""The date field and date bounds ("today", "-18y", "+30d", "2026-04-01")."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.core.dates import display_date
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp.errors import JPValueError

from .base import FieldError, FieldType, jp_error, registry, spec_name
from .options import FieldOption, OptionKind, PaletteEntry

# A date further ahead than this is a typo (3026 for 2026), and 和暦 could not show it back.
MAX_YEARS_AHEAD = 200
DATE_BOUND = re.compile(r"([+-])(\d{1,4})([dmy])")


def resolve_date_bound(bound: Any, today: dt.date | None = None) -> dt.date | None:
    """A date option as a date: "2026-04-01", "today", or relative "+30d", "-6m", "-18y".

    Months and years keep the day of the month where it exists (31 March - 1m = 28/29 Feb).
    ``None`` when the option cannot be read.
    """
    if not isinstance(bound, str):
        return None
    text = bound.strip().lower()
    today = today or timezone.localdate()
    if text == "today":
        return today
    try:
        match = DATE_BOUND.fullmatch(text)
        if match:
            amount = int(match[2]) * (-1 if match[1] == "-" else 1)
            if match[3] == "d":
                return today + dt.timedelta(days=amount)
            return _add_months(today, amount * (12 if match[3] == "y" else 1))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except (ValueError, OverflowError):
        return None
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError("out of range")
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _show_date(day: dt.date) -> str:
    """A bound in 和暦 with the Western year (ISO for a date before 明治)."""
    try:
        return display_date(day)
    except (JPValueError, ValueError):
        return day.isoformat()


@registry.register("date")
class DateField(FieldType):
    """One box that accepts Western and Japanese-era dates; shown back in 和暦 with the year."""

    type_name = "date"
    template = "forms/fields/text.html"
    spec_options = (
        FieldOption("min", OptionKind.DATE, gettext_lazy("Which dates are accepted"),
                    editor="date_limits"),
        FieldOption("max", OptionKind.DATE, gettext_lazy("Which dates are accepted"),
                    editor="date_limits"),
        FieldOption("past_only", OptionKind.FLAG, default=False, builder=False),
    )
    palette = (
        PaletteEntry("date", gettext_lazy("Date"), {"label": {"ja": "日付", "en": "Date"}},
                     order=40, in_group=True),
    )

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        name = {"field": spec_name(spec)}
        today = timezone.localdate()
        bounds: dict[str, dt.date | None] = {}
        messages = {
            "min": _("%(field)s: the earliest date “%(value)s” cannot be read. Write a date like "
                     "2026-04-01, or today, -18y, +30d."),
            "max": _("%(field)s: the latest date “%(value)s” cannot be read. Write a date like "
                     "2026-04-01, or today, -18y, +30d."),
        }
        for option, message in messages.items():
            bound = spec.get(option)
            if bound is None:
                continue
            bounds[option] = resolve_date_bound(bound, today)
            if bounds[option] is None:
                problems.append(message % {**name, "value": str(bound)[:40]})
        low, high = bounds.get("min"), bounds.get("max")
        if low is not None and high is not None and low > high:
            problems.append(_("%(field)s: the earliest date is after the latest date.") % name)
        if low is not None and spec.get("past_only") and low > today:
            problems.append(_("%(field)s: only dates up to today are allowed, but the earliest "
                              "date is in the future.") % name)
        return problems

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
        """The earliest and latest date allowed today (``None`` where there is no limit)."""
        today = today or timezone.localdate()
        return (resolve_date_bound(self.spec.get("min"), today),
                resolve_date_bound(self.spec.get("max"), today))

    def clean(self, raw: str) -> str:
        if not isinstance(raw, str):
            raise FieldError(_("Enter the date like 2026-11-23 or 令和8年11月23日 and check it "
                               "exists."))
        try:
            value = jp_wareki.parse_date(raw)
            jp_wareki.era_for(value)  # shown back in 和暦: a date before 明治 cannot be
        except JPValueError as exc:
            raise jp_error(
                exc, _("Enter the date like 2026-11-23 or 令和8年11月23日 and check it exists.")
            ) from exc
        today = timezone.localdate()
        if value.year > today.year + MAX_YEARS_AHEAD:
            raise FieldError(_("Check the year of %(label)s.") % {"label": self.label})
        if self.spec.get("past_only") and value > today:
            raise FieldError(_("%(label)s must be today or earlier.") % {"label": self.label})
        low, high = self.bounds(today)
        if (low is not None and value < low) or (high is not None and value > high):
            label = {"label": self.label}
            if low is not None and high is not None:
                raise FieldError(_("Enter %(label)s between %(min)s and %(max)s.")
                                 % {**label, "min": _show_date(low), "max": _show_date(high)})
            if low is not None:
                raise FieldError(_("Enter %(label)s on or after %(date)s.")
                                 % {**label, "date": _show_date(low)})
            raise FieldError(_("Enter %(label)s on or before %(date)s.")
                             % {**label, "date": _show_date(high)})
        return value.isoformat()

    def display(self, value: Any) -> str:
        return display_date(dt.date.fromisoformat(value)) if value else ""

    def raw_from_value(self, value: Any) -> str:
        if not value:
            return ""
        date = dt.date.fromisoformat(value)
        try:
            return jp_wareki.format_wareki(date)
        except JPValueError:
            return value  # a date 和暦 cannot write; the ISO form reads back the same
