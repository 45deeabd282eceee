"""Reads: which applications a resident or a staff member may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import Http404

from madoguchi.catalog.models import Procedure
from madoguchi.core import languages
from madoguchi.core.models import User
from madoguchi.staff.models import StaffMember

from .inbox import ASSIGNEE_NOBODY, PAGE_SIZE, Cursor, InboxFilters, Sort, cursor_of
from .models import Application, InternalComment, Status

# Counts stop here: "more than 1,000" is as useful to a clerk as the exact figure, and costs
# the same at any table size.
COUNT_LIMIT = 1000


def notice_language(application: Application) -> str:
    """The language of the resident's notices about ``application`` (receipt, status changes,
    corrections, payments, issuance): their account's language when they have an account (kept
    in step with the site's language switch), else the language they applied in."""
    profile = getattr(application.applicant, "resident_profile", None)
    preferred = profile.preferred_language if profile is not None else ""
    return (languages.normalize(preferred) or languages.normalize(application.language)
            or languages.BASE_LANGUAGE)


def for_resident(user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("procedure")
        .order_by("-submitted_at", "-id")
    )


def get_for_resident(user: User, public_id: uuid.UUID) -> Application:
    """The resident's own application; anybody else's is simply not found."""
    try:
        return for_resident(user).get(public_id=public_id)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def inbox(
    staff: StaffMember, status: str | None = None, filters: InboxFilters | None = None
) -> QuerySet[Application]:
    """The department's applications matching ``filters`` (or of one ``status``), in order.

    The staff member sees only their own department; the page position is not applied here
    (see :func:`inbox_page`).
    """
    filters = filters or InboxFilters()
    if status in Status.values and not filters.status:
        filters = replace(filters, status=status)
    qs = Application.objects.filter(department_id=staff.department_id).select_related("procedure")
    if filters.bad_receipt:
        return qs.none()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.procedure_id is not None:
        qs = qs.filter(procedure_id=filters.procedure_id)
    start, end = filters.submitted_range
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__lt=end)
    if filters.assignee == ASSIGNEE_NOBODY:
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee_id is not None:
        qs = qs.filter(assignee_id=filters.assignee_id)
    if filters.receipt_number:
        qs = qs.filter(receipt_number=filters.receipt_number)
    elif filters.name_key:
        qs = _name_starts_with(qs, filters.name_key)
    elif filters.kana_key:
        qs = _name_starts_with(qs, filters.kana_key, column="applicant_kana_key")
    if filters.sort.field == "receipt_number":
        qs = qs.filter(receipt_number__isnull=False)
    return qs.order_by(*filters.sort.order_by())


def _name_starts_with(qs: QuerySet[Application], key: str,
                      column: str = "applicant_name_key") -> QuerySet[Application]:
    """Applicants whose name key (or furigana key, ``column``) starts with ``key``, through the
    (department, key) index of that column.

    PostgreSQL uses the index's ``varchar_pattern_ops`` for LIKE 'key%' under any collation.
    SQLite's LIKE is case-insensitive and cannot use a plain index, so it gets the same set as
    a range of the binary (code point) order instead.
    """
    if connections[qs.db].vendor == "sqlite":
        return qs.filter(**{f"{column}__gte": key, f"{column}__lt": key + "\U0010ffff"})
    return qs.filter(**{f"{column}__startswith": key})


@dataclass(frozen=True)
class BoundedCount:
    """A count that stops at ``limit``: ``more`` says there are more rows than ``n``."""

    n: int
    more: bool


def _bounded_sql(qs: QuerySet[Application], limit: int) -> tuple[str, tuple[Any, ...]]:
    """``SELECT COUNT(*)`` over at most ``limit + 1`` rows of ``qs`` (SQL compiled by the ORM;
    every value stays a parameter)."""
    sql, params = qs.order_by().values("pk")[: limit + 1].query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) AS bounded", tuple(params)  # noqa: S608


def _bounded(n: int, limit: int) -> BoundedCount:
    return BoundedCount(min(n, limit), n > limit)


def bounded_count(qs: QuerySet[Application], limit: int = COUNT_LIMIT) -> BoundedCount:
    """How many rows ``qs`` has, counting no further than ``limit`` (fast on any table size)."""
    try:
        sql, params = _bounded_sql(qs, limit)
    except EmptyResultSet:  # qs.none(): nothing to count
        return BoundedCount(0, False)
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return _bounded(cursor.fetchone()[0], limit)


def status_counts(staff: StaffMember, limit: int = COUNT_LIMIT) -> dict[str, BoundedCount]:
    """Applications of the department per status, each counted up to ``limit``.

    One statement of one bounded index range scan per status (the ``app_inbox_idx`` index),
    so its cost does not grow with the table: an exact GROUP BY reads every row of the
    department.
    """
    base = Application.objects.filter(department_id=staff.department_id)
    parts, params = [], []
    for status in Status.values:
        sql, part_params = _bounded_sql(base.filter(status=status), limit)
        parts.append(f"({sql})")
        params.extend(part_params)
    with connections[base.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {status: _bounded(n, limit) for status, n in zip(Status.values, row, strict=True)}


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox, found from a cursor (keyset pagination, no OFFSET)."""

    rows: list[Application]
    has_next: bool
    has_previous: bool
    next_cursor: str
    previous_cursor: str
    total: BoundedCount


def _beyond(qs: QuerySet[Application], sort: Sort, cursor: Cursor, *, backwards: bool
            ) -> QuerySet[Application]:
    """Rows after ``cursor`` in the listing order (or before it, ``backwards``).

    The inclusive bound on the sort column alone lets the database start its index range scan
    at the cursor; the second condition then drops the rows up to and including it.
    """
    descending = sort.descending != backwards
    strict, inclusive = ("lt", "lte") if descending else ("gt", "gte")
    column = sort.field
    return qs.filter(**{f"{column}__{inclusive}": cursor.value}).filter(
        Q(**{f"{column}__{strict}": cursor.value})
        | Q(**{column: cursor.value, f"pk__{strict}": cursor.pk})
    )


LIST_FIELDS = (
    "public_id", "receipt_number", "applicant_name", "status", "submitted_at", "updated_at",
    "procedure_id", "procedure__name", "assignee_id", "assignee__display_name",
    "assignee__email",
)


def inbox_page(staff: StaffMember, filters: InboxFilters, page_size: int = PAGE_SIZE
               ) -> InboxPage:
    """The page of the inbox at the filters' cursor: ``page_size`` rows, newest first by
    default. Its cost does not depend on how deep the page is or how big the table is."""
    qs = inbox(staff, filters=filters)
    total = bounded_count(qs)
    sort = filters.sort
    backwards = filters.before is not None
    cursor = filters.before if backwards else filters.after
    if cursor is not None:
        qs = _beyond(qs, sort, cursor, backwards=backwards)
    order = sort.order_by(reverse=backwards)
    # Deferred join: the ids of the page come from an index alone (the filter and sort
    # columns are in it), then only those rows are read, with what the table shows.
    ids = qs.order_by(*order).values("pk")[: page_size + 1]
    rows = list(
        Application.objects.filter(pk__in=ids)
        .select_related("procedure", "assignee").only(*LIST_FIELDS).order_by(*order)
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = cursor is not None, more
    if not rows:
        has_next = has_previous = False
    return InboxPage(
        rows=rows,
        has_next=has_next,
        has_previous=has_previous,
        next_cursor=cursor_of(rows[-1], sort).encode() if rows else "",
        previous_cursor=cursor_of(rows[0], sort).encode() if rows else "",
        total=total,
    )


@dataclass(frozen=True)
class Neighbours:
    """The cases before and after one case in the inbox's order (None at either end)."""

    previous: Application | None
    next: Application | None


def neighbours(staff: StaffMember, filters: InboxFilters, application: Application
               ) -> Neighbours:
    """The cases just before and after ``application`` in the inbox with ``filters``.

    Two one-row keyset reads from the case's own position (the page cursors in ``filters``
    are not used), so the cost does not depend on how many cases match. The case need not
    match the filters itself (its status may have just changed): its neighbours are those
    around where it would sit.
    """
    filters = replace(filters, after=None, before=None)
    qs = inbox(staff, filters=filters).exclude(pk=application.pk)
    cursor = cursor_of(application, filters.sort)
    if filters.sort.field == "receipt_number" and not application.receipt_number:
        return Neighbours(None, None)
    found: list[Application | None] = []
    for backwards in (True, False):
        order = filters.sort.order_by(reverse=backwards)
        found.append(
            _beyond(qs, filters.sort, cursor, backwards=backwards)
            .select_related(None).only("public_id", "receipt_number").order_by(*order).first()
        )
    return Neighbours(*found)


def inbox_choices(staff: StaffMember) -> tuple[list[Procedure], list[StaffMember]]:
    """The department's procedures and the staff who may be assigned its cases."""
    procedures = list(
        Procedure.objects.filter(department_id=staff.department_id).only("slug", "name")
    )
    return procedures, assignable_staff(staff.department_id)


def assignable_staff(department_id: int) -> list[StaffMember]:
    """Active staff of the department who work on cases (not the DX office)."""
    return list(
        StaffMember.objects.filter(department_id=department_id, user__is_active=True)
        .exclude(role=StaffMember.Role.DX)
        .select_related("user")
        .order_by("family_name", "given_name", "id")
    )


def for_staff_many(staff: StaffMember, public_ids: list[uuid.UUID]) -> list[Application]:
    """The department's applications among ``public_ids`` (others are left out), in order."""
    found = Application.objects.filter(
        department_id=staff.department_id, public_id__in=public_ids
    ).select_related("procedure")
    by_id = {a.public_id: a for a in found}
    return [by_id[p] for p in public_ids if p in by_id]


def comments(application: Application) -> list[InternalComment]:
    """Staff notes on a case, oldest first, with their authors."""
    return list(application.comments.select_related("author").order_by("at", "id"))


def get_for_staff(staff: StaffMember, public_id: uuid.UUID) -> Application:
    """An application of the staff member's own department; others are not found."""
    try:
        return (
            Application.objects.select_related("procedure", "form_version", "applicant")
            .prefetch_related("events__actor")
            .get(public_id=public_id, department_id=staff.department_id)
        )
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def submitted_with_token(user: User | None, token: uuid.UUID) -> Application | None:
    """The application a submit with this token already created, if any (double submits).

    ``user`` is ``None`` for a visitor without an account; the caller checks the session.
    """
    return Application.objects.filter(submission_token=token, applicant=user).first()


def get_anonymous(public_id: uuid.UUID) -> Application:
    """An application sent without an account (the caller checks it was this browser)."""
    try:
        return Application.objects.select_related("department", "procedure").get(
            public_id=public_id, applicant__isnull=True
        )
    except Application.DoesNotExist as exc:
        raise Http404 from exc
