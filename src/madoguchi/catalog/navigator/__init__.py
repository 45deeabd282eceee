"""手続きナビ: which procedures a life event brings, and by when (pure Python, no database).

Deadline arithmetic follows the rules Japanese law uses for periods:

* **Days, first day not counted** (民法第140条, the general rule): a period of N days from
  an event ends N days after the event. 転入届 (住民基本台帳法第22条, 14 days), 国民健康保険
  (14 days) and the 児童手当 15日特例 ("from the day after") are counted this way.
* **Days, first day counted** (戸籍法第43条: periods of 戸籍 notifications count from the
  day of the event): 出生届 within 14 days of the birth ends 13 days after it; 死亡届 within
  7 days of learning of the death ends 6 days after that day.
* **Months** (民法第143条): the period ends on the day before the day with the same number in the
  last month; when that month has no such day (31 → February), on the last day of that month.
* **Closed office days** (地方自治法第4条の2第4項; for the State, 行政機関の休日に関する
  法律第2条): when the last day of a period set by a law or an ordinance under it falls on a
  day the city office is closed (Saturday, Sunday, national holiday, 29 December – 3 January),
  the deadline is the next day the office is open. A rule may turn this off where it does not
  apply (a city's own rule that says otherwise).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jpholiday

from madoguchi.core import jsonlogic as logic
from madoguchi.jp.width import to_ascii

# --- Office calendar ---------------------------------------------------------------------------

YEAR_END_CLOSURE = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


def is_office_closed(day: dt.date) -> bool:
    """Whether the city office is closed on ``day`` (地方自治法第4条の2第1項 and the city's
    休日条例): Saturdays, Sundays, national holidays (including 振替休日 and 国民の休日) and
    29 December – 3 January."""
    return (
        day.weekday() >= 5
        or (day.month, day.day) in YEAR_END_CLOSURE
        or jpholiday.is_holiday(day)
    )


def next_open_day(day: dt.date) -> dt.date:
    """``day`` itself when the office is open, otherwise the next day it is open."""
    while is_office_closed(day):
        day += dt.timedelta(days=1)
    return day


def previous_open_day(day: dt.date) -> dt.date:
    """``day`` itself when the office is open, otherwise the last open day before it."""
    while is_office_closed(day):
        day -= dt.timedelta(days=1)
    return day


# --- Periods -----------------------------------------------------------------------------------


def add_months(start: dt.date, months: int) -> dt.date | None:
    """The day with ``start``'s day number ``months`` months later, or None when that month has
    no such day (31 January + 1 month)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day > calendar.monthrange(year, month)[1]:
        return None
    return dt.date(year, month, start.day)


def period_end(event: dt.date, amount: int, unit: str, *, count_first_day: bool) -> dt.date:
    """The last day of a period of ``amount`` days or months that starts with ``event``.

    ``count_first_day``: the event's own day is day 1 (戸籍法第43条); otherwise the period starts
    the next day (民法第140条).
    """
    if amount < 0:
        raise ValueError("a period cannot be negative")
    start = event if count_first_day else event + dt.timedelta(days=1)
    if unit == DAYS:
        return start + dt.timedelta(days=amount - 1) if amount else start
    if unit == MONTHS:
        if amount == 0:
            return start
        same_day = add_months(start, amount)
        if same_day is None:  # 民法第143条第2項ただし書: no such day → the end of that month
            index = start.month - 1 + amount
            year, month = start.year + index // 12, index % 12 + 1
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return same_day - dt.timedelta(days=1)
    raise ValueError(f"unknown unit {unit!r}")


def end_of_month(event: dt.date, months_after: int = 0) -> dt.date:
    """The last day of the event's month (or of the month ``months_after`` later)."""
    index = event.month - 1 + months_after
    year, month = event.year + index // 12, index % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# --- Deadlines ---------------------------------------------------------------------------------

# Kinds of deadline a rule can have.
NONE = "none"  # no deadline at all (婚姻届, 印鑑登録)
ASAP = "asap"  # no fixed date, but as soon as possible (妊娠届)
BEFORE = "before"  # before the event (転出届: before moving)
WITHIN = "within"  # within a period after the event
MONTH_END = "month_end"  # by the end of the event's month (+ N months)
KINDS = (NONE, ASAP, BEFORE, WITHIN, MONTH_END)

DAYS = "days"
MONTHS = "months"
UNITS = (DAYS, MONTHS)


@dataclass(frozen=True)
class DeadlineSpec:
    """How a rule's deadline is computed from the event date."""

    kind: str = NONE
    amount: int = 0
    unit: str = DAYS
    count_first_day: bool = False
    extend_if_closed: bool = True
    opens_days_before: int = 0  # BEFORE: accepted from this many days before the event

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown deadline kind {self.kind!r}")
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.amount < 0 or self.opens_days_before < 0:
            raise ValueError("amounts cannot be negative")


@dataclass(frozen=True)
class Deadline:
    """A computed deadline.

    ``last_day`` is the last day the law allows (None without a date). ``period_end`` is the
    plain end of the period before any move for a closed office day; ``extended`` says the
    deadline moved to the next open day. ``opens_on`` is the first day a BEFORE procedure is
    accepted, and ``last_open_day`` the last day the office is open on or before ``last_day``.
    """

    kind: str
    last_day: dt.date | None = None
    period_end: dt.date | None = None
    extended: bool = False
    opens_on: dt.date | None = None
    last_open_day: dt.date | None = None

    def days_left(self, today: dt.date) -> int | None:
        """Days from ``today`` to the last day (0 = today is the last day, < 0 = passed)."""
        return None if self.last_day is None else (self.last_day - today).days

    def status(self, today: dt.date) -> str:
        """``none`` (no date), ``open`` (still time), ``today`` (last day) or ``overdue``."""
        left = self.days_left(today)
        if left is None:
            return "none"
        if left < 0:
            return "overdue"
        return "today" if left == 0 else "open"


def compute_deadline(spec: DeadlineSpec, event: dt.date) -> Deadline:
    """The deadline ``spec`` gives for an event on ``event``."""
    if spec.kind in (NONE, ASAP):
        return Deadline(kind=spec.kind)
    if spec.kind == BEFORE:
        last = event - dt.timedelta(days=1)
        opens = (event - dt.timedelta(days=spec.opens_days_before)
                 if spec.opens_days_before else None)
        return Deadline(kind=BEFORE, last_day=last, period_end=last, opens_on=opens,
                        last_open_day=previous_open_day(last))
    if spec.kind == WITHIN:
        end = period_end(event, spec.amount, spec.unit, count_first_day=spec.count_first_day)
    else:
        end = end_of_month(event, spec.amount)
    last = next_open_day(end) if spec.extend_if_closed else end
    return Deadline(kind=spec.kind, last_day=last, period_end=end, extended=last != end,
                    last_open_day=previous_open_day(last))


# --- Rules ---------------------------------------------------------------------------------------

YES, NO = "yes", "no"
YES_NO, NUMBER = "yes_no", "number"

# Comparisons staff choose in the rule editor, each one JSON Logic rule of core.jsonlogic.
COMPARISONS = {
    "is_yes": ("==", YES),
    "is_no": ("==", NO),
    "eq": ("==", None),
    "gte": (">=", None),
    "lt": ("<", None),
}
YES_NO_COMPARISONS = ("is_yes", "is_no")
NUMBER_COMPARISONS = ("eq", "gte", "lt")


@dataclass(frozen=True)
class ConditionRow:
    """One row of the rule editor: [question] [comparison] [number]."""

    question: str
    comparison: str
    number: int | None = None

    def to_logic(self) -> dict[str, Any]:
        operator, fixed = COMPARISONS[self.comparison]
        return {operator: [{"var": self.question}, fixed if fixed is not None else self.number]}


def rows_to_logic(rows: Iterable[ConditionRow], match: str = "all") -> dict[str, Any] | None:
    """JSON Logic for editor rows: None (always applies), one rule, or an and/or of rules."""
    rules = [row.to_logic() for row in rows]
    if not rules:
        return None
    if len(rules) == 1:
        return rules[0]
    return {"or" if match == "any" else "and": rules}


def logic_to_rows(rule: Any) -> tuple[list[ConditionRow], str] | None:
    """Editor rows and match ("all"/"any") for a stored rule, or None when it has another shape
    (hand-written JSON Logic the editor cannot show)."""
    if rule in (None, {}):
        return [], "all"
    match = "all"
    parts = [rule]
    if isinstance(rule, Mapping) and len(rule) == 1 and next(iter(rule)) in ("and", "or"):
        match = "any" if "or" in rule else "all"
        parts = rule["or" if match == "any" else "and"]
        if not isinstance(parts, list):
            return None
    rows = []
    for part in parts:
        condition = logic.Condition.from_logic(part)
        if condition is None:
            if not (isinstance(part, Mapping) and len(part) == 1 and next(iter(part)) in
                    (">=",) and isinstance(part[">="], list) and len(part[">="]) == 2):
                return None
            left, right = part[">="]
            if not (isinstance(left, Mapping) and isinstance(left.get("var"), str)
                    and isinstance(right, int) and not isinstance(right, bool)):
                return None
            rows.append(ConditionRow(left["var"], "gte", right))
            continue
        if condition.phrase == "is" and condition.value in (YES, NO):
            rows.append(ConditionRow(condition.field, "is_yes" if condition.value == YES
                                     else "is_no"))
        elif condition.phrase == "is" and _whole(condition.value):
            rows.append(ConditionRow(condition.field, "eq", condition.value))
        elif condition.phrase == "before" and _whole(condition.value):
            rows.append(ConditionRow(condition.field, "lt", condition.value))
        else:
            return None
    return rows, match


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def applies(condition: Any, answers: Mapping[str, Any]) -> bool:
    """Whether a rule's condition holds for the answers (no condition: it always applies)."""
    if condition in (None, {}):
        return True
    return logic.evaluate(condition, answers)


@dataclass(frozen=True)
class Question:
    """A question of a life event: a yes/no question or a whole number in a range."""

    key: str
    kind: str
    minimum: int = 0
    maximum: int = 99


MAX_NUMBER_LENGTH = 6


def clean_answer(question: Question, raw: str) -> tuple[Any, str | None]:
    """(value, error code) for one typed answer. Error codes: ``missing``, ``not_a_number``,
    ``out_of_range``."""
    raw = (raw or "").strip()
    if question.kind == YES_NO:
        if raw in (YES, NO):
            return raw, None
        return None, "missing"
    text = to_ascii(raw).replace(",", "").strip()
    if not text:
        return None, "missing"
    if len(text) > MAX_NUMBER_LENGTH or not (text.isascii() and text.isdigit()):
        return None, "not_a_number"
    number = int(text)
    if not question.minimum <= number <= question.maximum:
        return None, "out_of_range"
    return number, None
