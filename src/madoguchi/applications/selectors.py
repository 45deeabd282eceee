"""Reads: which applications a resident or a staff member may see."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from madoguchi.core.models import User
from madoguchi.staff.models import StaffMember

from .models import Application, Status


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


def inbox(staff: StaffMember, status: str | None = None) -> QuerySet[Application]:
    """The department's applications, newest first, optionally of one status."""
    qs = Application.objects.filter(department_id=staff.department_id).select_related("procedure")
    if status in Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def status_counts(staff: StaffMember) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        Application.objects.filter(department_id=staff.department_id)
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {s: 0 for s in Status.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


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
