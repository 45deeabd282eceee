"""Date limits in words for the builder: 「今日以前」「今日以降」「18歳以上」 or a range, mapped to
the stored bounds of a date field ("today", "-18y", "+30d", "2026-04-01").

A clerk never types the stored format. :func:`limits_of` reads a field's bounds as choices for
the edit page, :func:`read_limits` turns the posted choices back into bounds (or messages), and
:func:`describe` says the limits in a sentence for the editor and the publish check.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.core.dates import display_date
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp import width as jp_width
from madoguchi.jp.errors import JPValueError

from ..fields.dates import DATE_BOUND, resolve_date_bound

NONE, PAST, FUTURE, AGE, CUSTOM = "none", "past", "future", "age", "custom"
PRESETS = (NONE, PAST, FUTURE, AGE, CUSTOM)
DEFAULT_AGE = 18
MAX_AGE = 150

# One end of a custom range: (kind, label, sign and unit of the stored bound).
KINDS: tuple[tuple[str, Any, str], ...] = (
    ("", gettext_lazy("No limit"), ""),
    ("today", gettext_lazy("Today"), ""),
    ("days_ago", gettext_lazy("… days ago"), "-d"),
    ("months_ago", gettext_lazy("… months ago"), "-m"),
    ("years_ago", gettext_lazy("… years ago"), "-y"),
    ("days_ahead", gettext_lazy("In … days"), "+d"),
    ("months_ahead", gettext_lazy("In … months"), "+m"),
    ("years_ahead", gettext_lazy("In … years"), "+y"),
    ("date", gettext_lazy("On a date"), ""),
)
RELATIVE = {kind: unit for kind, _label, unit in KINDS if unit}
MAX_AMOUNT = {"d": 36500, "m": 1800, "y": MAX_AGE}


@dataclass(frozen=True)
class Bound:
    """One end of a range as the edit page shows it."""

    kind: str = ""
    number: str = ""
    date: str = ""


@dataclass(frozen=True)
class DateLimits:
    """The choices of the edit page for a date field's limits."""

    preset: str = NONE
    age: str = str(DEFAULT_AGE)
    low: Bound = Bound()
    high: Bound = Bound()

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return [(kind, str(label)) for kind, label, _unit in KINDS]

    @property
    def rows(self) -> list[tuple[str, str, Bound]]:
        """The two ends of a custom range: (input prefix, title, bound)."""
        return [("min", _("Earliest date"), self.low), ("max", _("Latest date"), self.high)]


def _bound_of(stored: Any) -> Bound:
    if not isinstance(stored, str) or not stored.strip():
        return Bound()
    text = stored.strip().lower()
    if text == "today":
        return Bound("today")
    match = DATE_BOUND.fullmatch(text)
    if match:
        kind = next(k for k, unit in RELATIVE.items() if unit == f"{match[1]}{match[3]}")
        return Bound(kind, str(int(match[2])))
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return Bound("date", date=stored)  # unreadable: shown as typed, refused on saving
    try:
        return Bound("date", date=jp_wareki.format_wareki(day))
    except JPValueError:
        return Bound("date", date=day.isoformat())


def limits_of(spec: Mapping[str, Any]) -> DateLimits:
    """The choices that show a date field's stored ``min`` and ``max``."""
    low, high = spec.get("min"), spec.get("max")
    if not low and not high:
        return DateLimits()
    if not low and str(high).strip().lower() == "today":
        return DateLimits(PAST)
    if not high and str(low).strip().lower() == "today":
        return DateLimits(FUTURE)
    match = DATE_BOUND.fullmatch(str(high or "").strip().lower())
    if not low and match and match[1] == "-" and match[3] == "y":
        return DateLimits(AGE, age=str(int(match[2])))
    return DateLimits(CUSTOM, low=_bound_of(low), high=_bound_of(high))


def limits_posted(post: Mapping[str, Any]) -> DateLimits:
    """The choices as posted, to show them again after an error."""

    def text(name: str) -> str:
        value = post.get(name, "")
        return value.replace("\x00", "").strip()[:30] if isinstance(value, str) else ""

    preset = text("date_limit")
    return DateLimits(
        preset if preset in PRESETS else NONE, age=text("date_age"),
        low=Bound(text("min_kind"), text("min_number"), text("min_date")),
        high=Bound(text("max_kind"), text("max_number"), text("max_date")),
    )


def _number(text: str) -> int | None:
    digits = jp_width.to_ascii(text).replace(",", "").strip()
    return int(digits) if re.fullmatch(r"\d{1,6}", digits) else None


def _read_bound(bound: Bound, title: str, errors: list[str]) -> str | None:
    if bound.kind == "":
        return None
    if bound.kind == "today":
        return "today"
    if bound.kind == "date":
        try:
            return jp_wareki.parse_date(bound.date).isoformat()
        except JPValueError:
            errors.append(_("%(label)s: write the date like 2026-04-01 or 令和8年4月1日.")
                          % {"label": title})
            return None
    unit = RELATIVE.get(bound.kind)
    if unit is None:
        errors.append(_("%(label)s: choose from the list.") % {"label": title})
        return None
    amount = _number(bound.number)
    if amount is None or not 1 <= amount <= MAX_AMOUNT[unit[1]]:
        errors.append(_("%(label)s: enter how many, as a whole number from 1 to %(max)d.")
                      % {"label": title, "max": MAX_AMOUNT[unit[1]]})
        return None
    return f"{unit[0]}{amount}{unit[1]}"


def read_limits(post: Mapping[str, Any]) -> tuple[str | None, str | None, list[str]]:
    """The stored ``min`` and ``max`` from the posted choices, and messages for the clerk."""
    limits = limits_posted(post)
    errors: list[str] = []
    if post.get("date_limit") not in PRESETS:
        return None, None, [_("Choose which dates are accepted.")]
    if limits.preset == NONE:
        return None, None, []
    if limits.preset == PAST:
        return None, "today", []
    if limits.preset == FUTURE:
        return "today", None, []
    if limits.preset == AGE:
        age = _number(limits.age)
        if age is None or not 1 <= age <= MAX_AGE:
            return None, None, [_("Enter the age as a whole number from 1 to %(max)d.")
                                % {"max": MAX_AGE}]
        return None, f"-{age}y", []
    low = _read_bound(limits.low, _("Earliest date"), errors)
    high = _read_bound(limits.high, _("Latest date"), errors)
    if not errors and low is None and high is None:
        errors.append(_("Choose the earliest date, the latest date or both, or choose "
                        "“Any date”."))
    if not errors and low is not None and high is not None:
        first, last = resolve_date_bound(low), resolve_date_bound(high)
        if first is not None and last is not None and first > last:
            errors.append(_("The earliest date is after the latest date."))
    return low, high, errors


def _bound_words(stored: str) -> str:
    bound = _bound_of(stored)
    amount = {"amount": bound.number}
    words = {
        "today": _("today"),
        "days_ago": _("%(amount)s days ago") % amount,
        "months_ago": _("%(amount)s months ago") % amount,
        "years_ago": _("%(amount)s years ago") % amount,
        "days_ahead": _("in %(amount)s days") % amount,
        "months_ahead": _("in %(amount)s months") % amount,
        "years_ahead": _("in %(amount)s years") % amount,
    }
    if bound.kind == "date":
        try:
            return display_date(dt.date.fromisoformat(stored))
        except ValueError:
            return stored
    return words.get(bound.kind, stored)


def describe(spec: Mapping[str, Any]) -> str:
    """The limits of a date field in words (empty when any date is accepted)."""
    limits = limits_of(spec)
    if limits.preset == NONE:
        return ""
    if limits.preset == PAST:
        return _("Today or earlier")
    if limits.preset == FUTURE:
        return _("Today or later")
    if limits.preset == AGE:
        return _("Aged %(age)s or over (born on or before this day %(age)s years ago)") % {
            "age": limits.age}
    low, high = spec.get("min"), spec.get("max")
    if low and high:
        return _("From %(from)s to %(to)s") % {"from": _bound_words(low), "to": _bound_words(high)}
    if low:
        return _("From %(from)s") % {"from": _bound_words(low)}
    return _("Until %(to)s") % {"to": _bound_words(high)}
