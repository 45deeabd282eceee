"""保存年限 of applications: when a decided case expires, legal holds, and deleting a case's rows.

A case is kept for its procedure's ``retention_years`` counted, as 公文書 are, from the 1 April
after the fiscal year (年度) of its decision: decided on 2026-07-01 (FY2026) with 5 years, it is
kept until 2032-04-01. A case under a legal hold (訴訟ホールド) is never expired. The retention
app deletes what belongs to a case on the floors above (approvals, issued documents) first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone

from madoguchi.core.models import User

from . import drafts
from .models import (
    Application,
    CorrectionRequest,
    Draft,
    InternalComment,
    Status,
    StatusEvent,
)

# A case is decided when it reached one of these; its decision is the first such event. A case
# withdrawn (its applicant deleted their account) is closed then, and kept like a decided one.
DECIDED: tuple[str, ...] = (Status.APPROVED, Status.REJECTED, Status.ISSUED, Status.WITHDRAWN)
MAX_HOLD_REASON = 500


class HoldRefused(Exception):
    """The legal hold cannot be placed or lifted as asked (the message says why, for staff)."""


def fiscal_year(moment: dt.datetime) -> int:
    """The 年度 (April to March) of ``moment`` in the city's time zone."""
    local = timezone.localtime(moment)
    return local.year if local.month >= 4 else local.year - 1


def kept_until(decided_at: dt.datetime, years: int) -> dt.datetime:
    """The moment a case decided at ``decided_at`` may be deleted: 1 April (local time) of the
    fiscal year after its decision's, plus ``years``."""
    start = fiscal_year(decided_at) + 1
    return timezone.make_aware(dt.datetime(start + years, 4, 1))


def with_decision() -> QuerySet[Application]:
    return Application.objects.filter(status__in=DECIDED).annotate(
        decided_at=Min("events__at", filter=Q(events__to_status__in=DECIDED)))


def expired(now: dt.datetime) -> Iterator[Application]:
    """Decided cases past their retention period and not under a legal hold, oldest first."""
    # No procedure keeps a case less than a year after the fiscal year of its decision.
    earliest = now - dt.timedelta(days=365)
    candidates = (with_decision().filter(legal_hold_reason="")
                  .filter(**{"decided_at__lt": earliest})
                  .select_related("procedure").order_by(F("decided_at").asc(), "id"))
    for application in candidates.iterator(chunk_size=500):
        decided_at = application.decided_at  # type: ignore[attr-defined]
        if kept_until(decided_at, application.procedure.retention_years) <= now:
            yield application


def stored_files(value: Any) -> set[str]:
    """Every stored file named in ``value`` (answers, correction changes): upload items carry
    their ``storage_name``."""
    found: set[str] = set()
    if isinstance(value, dict):
        name = value.get("storage_name")
        if isinstance(name, str) and name:
            found.add(name)
        for item in value.values():
            found |= stored_files(item)
    elif isinstance(value, list):
        for item in value:
            found |= stored_files(item)
    return found


def delete_case(application: Application) -> set[str]:
    """Delete the case and its own rows (status history, correction requests, comments).

    Rows of the floors above must be gone already. Returns the stored files it named, to be
    deleted once the transaction commits. Bookings that pointed at it keep their own life.
    """
    files = stored_files(application.answers)
    for changes in CorrectionRequest.objects.filter(application=application).values_list(
            "changes", flat=True):
        files |= stored_files(changes)
    StatusEvent.objects.filter(application=application).delete()
    CorrectionRequest.objects.filter(application=application).delete()
    InternalComment.objects.filter(application=application).delete()
    Application.objects.filter(pk=application.pk).delete()
    return files


@transaction.atomic
def place_hold(application: Application, *, actor: User, reason: str) -> Application:
    reason = reason.replace("\x00", "").strip()
    if not reason:
        raise HoldRefused("reason")
    locked = Application.objects.select_for_update().get(pk=application.pk)
    locked.legal_hold_reason = reason[:MAX_HOLD_REASON]
    locked.legal_hold_since = timezone.now()
    locked.legal_hold_by = actor
    locked.save(update_fields=["legal_hold_reason", "legal_hold_since", "legal_hold_by"])
    return locked


@transaction.atomic
def lift_hold(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not locked.legal_hold_reason:
        raise HoldRefused("not held")
    locked.legal_hold_reason = ""
    locked.legal_hold_since = None
    locked.legal_hold_by = None
    locked.save(update_fields=["legal_hold_reason", "legal_hold_since", "legal_hold_by"])
    return locked


# Stored with the status event, like the reasons staff write (in the city's language).
WITHDRAWN_REASON = "申請者のアカウント削除により取下げ"


def forget_applicant(user: User) -> tuple[int, int]:
    """The applicant deleted their account: cases not yet decided are withdrawn (and start
    their retention period now); every case is detached from the account and its contact
    address cleared. The applicant's name and answers stay: the case is the city's record for
    its retention period. Returns (withdrawn, kept). Drafts go too, with their files."""
    withdrawn = kept = 0
    with transaction.atomic():
        for application in Application.objects.select_for_update().filter(applicant=user):
            if application.status not in DECIDED:
                StatusEvent.objects.create(application=application,
                                           from_status=application.status,
                                           to_status=Status.WITHDRAWN, actor=None,
                                           reason=WITHDRAWN_REASON)
                application.status = Status.WITHDRAWN
                withdrawn += 1
            else:
                kept += 1
            application.applicant = None
            application.contact_email = ""
            application.updated_at = timezone.now()
            application.save(update_fields=["status", "applicant", "contact_email",
                                            "updated_at"])
        drafts.delete_drafts(Draft.objects.filter(owner=user))
    return withdrawn, kept
