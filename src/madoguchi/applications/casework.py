"""Writes of the back office around a case: who works on it, staff notes, bulk status changes.

Status changes themselves go through :func:`services.change_status` (the status machine, the
history event and the resident's e-mail); this module only applies it to several cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from madoguchi.core.models import User

from . import services
from .models import Application, InternalComment

MAX_COMMENT_LENGTH = 4000
MAX_BULK = 100  # cases one bulk change may touch (two pages of the inbox)


class AssignmentRefused(Exception):
    """The chosen person may not be assigned cases of this department."""


class CommentRefused(Exception):
    """The comment is empty."""


def assign(*, application: Application, assignee: User | None, actor: User) -> Application:
    """Make ``assignee`` (``None``: nobody) the staff member who works on the case.

    Only active staff of the case's department who work on cases may be assigned.
    """
    if assignee is not None:
        profile = getattr(assignee, "staff_profile", None)
        if (not assignee.is_active or not assignee.is_staff_member or profile is None
                or profile.department_id != application.department_id
                or not profile.handles_cases):
            raise AssignmentRefused(f"user {assignee.pk} cannot take cases of this department")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        locked.assignee = assignee
        locked.updated_at = timezone.now()
        locked.save(update_fields=["assignee", "updated_at"])
    application.assignee = locked.assignee
    application.updated_at = locked.updated_at
    return application


def add_comment(*, application: Application, author: User, text: str) -> InternalComment:
    """Append a staff-only note to the case (comments are never edited or removed)."""
    text = text.replace("\x00", "").strip()[:MAX_COMMENT_LENGTH]
    if not text:
        raise CommentRefused("a comment needs text")
    return InternalComment.objects.create(application=application, author=author, text=text)


@dataclass
class BulkResult:
    changed: list[Application] = field(default_factory=list)
    refused: list[Application] = field(default_factory=list)


def bulk_change_status(
    *, applications: list[Application], to_status: str, actor: User, reason: str = ""
) -> BulkResult:
    """Apply :func:`services.change_status` to each case; those it refuses are reported.

    Each case changes in its own transaction, so a refused case does not undo the others.
    """
    result = BulkResult()
    for application in applications[:MAX_BULK]:
        try:
            services.change_status(application=application, to_status=to_status, actor=actor,
                                   reason=reason)
        except services.TransitionRefused:
            result.refused.append(application)
        else:
            result.changed.append(application)
    return result
