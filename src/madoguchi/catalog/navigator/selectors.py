"""Reads of the navigator: life events, their questions, and a resident's checklist.

The checklist is computed from the query string alone (event, date and answers): nothing a
resident enters is stored, so the checklist's address is also its share link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.catalog import navigator
from madoguchi.catalog.models import LifeEvent, NavigatorQuestion, NavigatorRule
from madoguchi.catalog.selectors import procedures
from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized
from madoguchi.jp import wareki
from madoguchi.jp.errors import JPValueError

DATE_PARAM = "date"
RESERVED_KEYS = frozenset({DATE_PARAM, "print", "lang", "language", "next"})
MAX_DATE_LENGTH = 40
YEARS_BACK = 10  # an event further back than this is a typo (or needs the counter, not a list)
YEARS_AHEAD = 2


def published_events() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(is_published=True)


def event_with_questions(slug: str) -> LifeEvent | None:
    """A published event with its questions, or None."""
    return (published_events().prefetch_related("questions").filter(slug=slug).first())


@dataclass
class Item:
    """One procedure of a checklist: the rule that brought it and its computed deadline."""

    rule: NavigatorRule
    deadline: navigator.Deadline
    status: str
    days_left: int | None

    @property
    def procedure(self):  # a Procedure annotated with has_published_form
        return self.rule.procedure

    @property
    def form(self):  # the procedure's FormDefinition, when it can be applied for
        return getattr(self.procedure, "form", None) if self.procedure.accepts_online_application \
            else None

    def sort_key(self) -> tuple[int, dt.date, int]:
        last = self.deadline.last_day
        rank = {navigator.BEFORE: 0, navigator.WITHIN: 0, navigator.MONTH_END: 0,
                navigator.ASAP: 1, navigator.NONE: 2}[self.deadline.kind]
        return (rank, last or dt.date.max, self.rule.sort_order)


@dataclass
class Checklist:
    """What the navigator found for an event, a date and answers (or the input's errors)."""

    event: LifeEvent
    questions: list[NavigatorQuestion]
    raw: dict[str, str] = field(default_factory=dict)
    date: dt.date | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    not_needed: list[NavigatorRule] = field(default_factory=list)

    @property
    def params(self) -> dict[str, str]:
        """The cleaned query string: the share link's parameters."""
        params = {DATE_PARAM: self.date.isoformat()} if self.date else {}
        params.update({k: str(v) for k, v in self.answers.items()})
        return params


def _date_error(raw: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    if not raw.strip():
        return None, _("Enter the date, like 2026-12-01 or 令和8年12月1日.")
    if len(raw) > MAX_DATE_LENGTH:
        return None, _("Enter the date like 2026-12-01 or 令和8年12月1日 and check it exists.")
    try:
        value = wareki.parse_date(raw)
        wareki.era_for(value)
    except JPValueError as exc:
        if (translation.get_language() or "ja").startswith("ja"):
            return None, exc.message
        return None, _("Enter the date like 2026-12-01 or 令和8年12月1日 and check it exists.")
    low = dt.date(today.year - YEARS_BACK, 1, 1)
    high = dt.date(today.year + YEARS_AHEAD, 12, 31)
    if not low <= value <= high:
        return None, _("Enter a date between %(low)s and %(high)s.") % {
            "low": display_date(low), "high": display_date(high)}
    return value, None


def _answer_error(question: NavigatorQuestion, code: str) -> str:
    if code == "missing":
        if question.kind == navigator.YES_NO:
            return _("Answer “%(question)s” with yes or no.") % {
                "question": localized(question.text)}
        return _("Answer “%(question)s” with a number (0 if there are none).") % {
            "question": localized(question.text)}
    if code == "not_a_number":
        return _("Enter a whole number using digits, like 2.")
    return _("Enter a number from %(min)s to %(max)s.") % {
        "min": question.minimum, "max": question.maximum}


def build_checklist(event: LifeEvent, query: Mapping[str, str], today: dt.date) -> Checklist:
    """Validate the date and answers in ``query`` and, when they are fine, find the procedures.

    Every rule of the event whose condition holds becomes an item with its deadline; the rest
    are listed as not needed. Items are ordered by deadline (dated first, then "as soon as
    possible", then those without a deadline).
    """
    questions = list(event.questions.all())
    checklist = Checklist(event=event, questions=questions)
    raw_date = str(query.get(DATE_PARAM, ""))[:MAX_DATE_LENGTH * 2].replace("\x00", "")
    checklist.raw[DATE_PARAM] = raw_date
    checklist.date, error = _date_error(raw_date, today)
    if error:
        checklist.errors[DATE_PARAM] = error
    for question in questions:
        raw = str(query.get(question.key, ""))[:40].replace("\x00", "")
        checklist.raw[question.key] = raw
        value, code = navigator.clean_answer(question.as_question(), raw)
        if code:
            checklist.errors[question.key] = _answer_error(question, code)
        else:
            checklist.answers[question.key] = value
    if checklist.errors:
        return checklist
    rules = event.rules.prefetch_related(
        Prefetch("procedure", queryset=procedures().select_related("counter", "form"))
    )
    for rule in rules:
        if not navigator.applies(rule.condition, checklist.answers):
            checklist.not_needed.append(rule)
            continue
        deadline = navigator.compute_deadline(rule.deadline_spec(), checklist.date)
        checklist.items.append(Item(rule=rule, deadline=deadline, status=deadline.status(today),
                                    days_left=deadline.days_left(today)))
    checklist.items.sort(key=Item.sort_key)
    needed = {item.procedure.pk for item in checklist.items}
    checklist.not_needed = [r for r in checklist.not_needed if r.procedure_id not in needed]
    return checklist
