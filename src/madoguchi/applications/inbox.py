"""The department inbox: reading its filters from the query string, and keyset page cursors.

Every parameter is optional. A value that cannot be understood (an unknown status, a date that
does not parse, another department's procedure, a NUL byte) is ignored and named in
``InboxFilters.ignored``, so a hand-edited address never makes an error page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.names import is_kana_key, kana_search_key, name_search_key
from madoguchi.jp.receipt import normalize_receipt_number
from madoguchi.jp.wareki import parse_date
from madoguchi.jp.width import normalize_hyphens, to_ascii

from .models import Application, Status

PAGE_SIZE = 50
MAX_PARAM_LENGTH = 100  # longer values are cut before they are parsed
ASSIGNEE_ME = "me"
ASSIGNEE_NOBODY = "nobody"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Sort:
    """One order of the inbox: a column and its direction; ``id`` breaks ties the same way."""

    key: str
    label: Promise
    field: str
    descending: bool

    def order_by(self, *, reverse: bool = False) -> tuple[str, str]:
        descending = self.descending != reverse
        sign = "-" if descending else ""
        return f"{sign}{self.field}", f"{sign}id"


SORTS: dict[str, Sort] = {
    s.key: s
    for s in (
        Sort("newest", _("Newest first"), "submitted_at", True),
        Sort("oldest", _("Oldest first"), "submitted_at", False),
        Sort("updated", _("Recently updated"), "updated_at", True),
        Sort("receipt", _("Receipt number"), "receipt_number", False),
    )
}
DEFAULT_SORT = SORTS["newest"]


@dataclass(frozen=True)
class Cursor:
    """A position in the inbox: the sort column's value and the id of one row."""

    value: dt.datetime | str
    pk: int

    def encode(self) -> str:
        if isinstance(self.value, dt.datetime):
            delta = self.value - EPOCH
            text = str((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)
        else:
            text = self.value
        return f"{text}_{self.pk}"


def decode_cursor(text: str, sort: Sort) -> Cursor | None:
    """The cursor in ``text`` for ``sort``, or None when it is not one."""
    value, sep, pk = text.rpartition("_")
    if not sep or not pk.isascii() or not pk.isdigit() or len(pk) > 18 or not value:
        return None
    if sort.field == "receipt_number":
        if len(value) > 20 or not value.isascii() or not value.isprintable():
            return None
        return Cursor(value, int(pk))
    body = value.removeprefix("-")
    if not body.isascii() or not body.isdigit() or len(body) > 18:
        return None
    try:
        moment = EPOCH + dt.timedelta(microseconds=int(value))
    except OverflowError:
        return None
    return Cursor(moment, int(pk))


def cursor_of(row: Any, sort: Sort) -> Cursor:
    return Cursor(getattr(row, sort.field) or "", row.pk)


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox shows: the filters, the order and the page position, all validated."""

    status: str = ""
    procedure: str = ""  # slug of one of the department's procedures
    procedure_id: int | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    assignee: str = ""  # "", "me", "nobody" or a staff member's user id
    assignee_id: int | None = None  # the user the "assignee" value stands for (not for nobody)
    query: str = ""  # as typed, shown back in the search box
    receipt_number: str = ""  # canonical form, when the query is a receipt number
    name_key: str = ""  # name_search_key of the query, when it is a name
    kana_key: str = ""  # kana_search_key of the query, when it is in kana (furigana search)
    bad_receipt: bool = False  # the query looks like a receipt number but is not a valid one
    sort: Sort = DEFAULT_SORT
    after: Cursor | None = None
    before: Cursor | None = None
    # Typed text of the date boxes, shown back even when it did not parse.
    typed: dict[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()

    @property
    def submitted_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Aware datetimes (city time) for ``submitted_from`` ≤ submitted < day after ``to``."""
        start = end = None
        if self.submitted_from is not None:
            start = _start_of_day(self.submitted_from)
        if self.submitted_to is not None:
            end = _start_of_day(self.submitted_to, days_after=1)
        return start, end

    def params(self, **changes: str) -> dict[str, str]:
        """The query parameters that give these filters (no page position), with ``changes``."""
        values = {
            "q": self.query,
            "status": self.status,
            "procedure": self.procedure,
            "from": self.typed.get("from", ""),
            "to": self.typed.get("to", ""),
            "assignee": self.assignee,
            "sort": "" if self.sort is DEFAULT_SORT else self.sort.key,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def querystring(self, **changes: str) -> str:
        params = self.params(**changes)
        return f"?{urlencode(params)}" if params else "?"


# Cases still waiting for the city or the resident: they have a 期限 and a waiting time.
OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.UNDER_REVIEW, Status.RETURNED, Status.IN_APPROVAL}
)


@dataclass(frozen=True)
class Timing:
    """When an open case is due (受付日 + 標準処理期間) and how many days it has waited."""

    deadline: dt.date | None
    days_waiting: int | None
    overdue: bool


def timing(application: Application, today: dt.date) -> Timing:
    """The 期限 and days since receipt of ``application`` on ``today`` (none once it is closed).

    The deadline is the submission day (city time) plus ``MADOGUCHI_PROCESSING_DAYS``, so the
    inbox's oldest-first order is also its earliest-deadline-first order.
    """
    if application.status not in OPEN_STATUSES:
        return Timing(None, None, False)
    received = timezone.localtime(application.submitted_at).date()
    deadline = received + dt.timedelta(days=settings.MADOGUCHI_PROCESSING_DAYS)
    return Timing(deadline, max((today - received).days, 0), today > deadline)


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox: the application and its timing."""

    application: Application
    timing: Timing


def rows_with_timing(applications: list[Application], today: dt.date) -> list[InboxRow]:
    return [InboxRow(a, timing(a, today)) for a in applications]


def _start_of_day(day: dt.date, days_after: int = 0) -> dt.datetime | None:
    """The start of ``day`` (plus ``days_after``) in city time, or None at the ends of the
    calendar (year 1 in UTC, past 9999-12-31): no bound is needed there."""
    try:
        moment = dt.datetime.combine(day + dt.timedelta(days=days_after), dt.time.min)
        return timezone.make_aware(moment).astimezone(dt.UTC)
    except OverflowError:
        return None


def _param(params: Mapping[str, Any], name: str) -> str:
    """One parameter as text: NUL and other control characters dropped, length capped."""
    value = params.get(name, "")
    if not isinstance(value, str):
        return ""
    value = value[: MAX_PARAM_LENGTH * 2]
    value = "".join(ch for ch in value if ch.isprintable() or ch in " \u3000")
    return value.strip()[:MAX_PARAM_LENGTH]


def _looks_like_receipt(text: str) -> bool:
    """Digits with hyphens or spaces only (full-width too): meant as a receipt number."""
    ascii_text = "".join(normalize_hyphens(to_ascii(text)).split())
    return bool(ascii_text) and ascii_text.isascii() and any(c.isdigit() for c in ascii_text) \
        and all(c.isdigit() or c == "-" for c in ascii_text)


def _date(text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except (JPValueError, ValueError, OverflowError):
        return None


def parse_filters(
    params: QueryDict | Mapping[str, Any],
    *,
    procedures: Mapping[str, int],
    assignable: Mapping[int, object],
    user_id: int,
) -> InboxFilters:
    """Read the inbox filters from GET parameters.

    ``procedures`` maps the department's procedure slugs to ids, ``assignable`` holds the user
    ids of the department's staff; values outside them are ignored like any other bad value.
    """
    ignored: list[str] = []
    typed: dict[str, str] = {}
    found: dict[str, Any] = {}

    status = _param(params, "status")
    if status in Status.values:
        found["status"] = status
    elif status:
        ignored.append("status")

    procedure = _param(params, "procedure")
    if procedure in procedures:
        found["procedure"] = procedure
        found["procedure_id"] = procedures[procedure]
    elif procedure:
        ignored.append("procedure")

    for name, attribute in (("from", "submitted_from"), ("to", "submitted_to")):
        text = _param(params, name)
        if not text:
            continue
        typed[name] = text
        day = _date(text)
        if day is None:
            ignored.append(name)
        else:
            found[attribute] = day

    assignee = _param(params, "assignee")
    if assignee == str(user_id):
        assignee = ASSIGNEE_ME
    if assignee == ASSIGNEE_ME:
        found.update(assignee=assignee, assignee_id=user_id)
    elif assignee == ASSIGNEE_NOBODY:
        found["assignee"] = assignee
    elif assignee.isascii() and assignee.isdigit() and len(assignee) < 19 \
            and int(assignee) in assignable:
        found.update(assignee=assignee, assignee_id=int(assignee))
    elif assignee:
        ignored.append("assignee")

    query = _param(params, "q")
    if query:
        found["query"] = query
        if _looks_like_receipt(query):
            try:
                found["receipt_number"] = normalize_receipt_number(query)
            except JPValueError:
                found["bad_receipt"] = True
        elif is_kana_key(kana := kana_search_key(query)):
            # Kana only (either width, hiragana or katakana): the furigana, which also holds
            # the names typed in kana.
            found["kana_key"] = kana
        else:
            key = name_search_key(query)
            if key:
                found["name_key"] = key
            else:
                ignored.append("q")

    sort_key = _param(params, "sort")
    sort = SORTS.get(sort_key, DEFAULT_SORT)
    if sort_key and sort_key not in SORTS:
        ignored.append("sort")
    found["sort"] = sort

    after = _param(params, "after")
    before = _param(params, "before")
    if after:
        found["after"] = decode_cursor(after, sort)
    elif before:
        found["before"] = decode_cursor(before, sort)

    return InboxFilters(**found, typed=typed, ignored=tuple(ignored))
