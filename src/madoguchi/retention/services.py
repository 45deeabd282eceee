"""The daily deletion at the end of retention periods (保存年限), and setting a procedure's period.

For each decided case past its period and not under a legal hold, in one transaction per case:
its approval requests and decisions, its issued documents, its status history, correction
requests and comments, and the case itself are deleted; its attachments and PDFs are deleted
from storage once that commits. An audit event without personal data says what went and why,
and the case is counted in an anonymised tally per procedure and month. Expired drafts, bookings
of sessions past BOOKING_RETENTION_DAYS and audit events past AUDIT_RETENTION_YEARS go too.
Inquiries answered or closed more than INQUIRY_RETENTION_YEARS ago go like cases (one
transaction each, a tally per department and month, a ``retention.deleted`` audit event), and so
do the chat questions asked that long ago.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from madoguchi.applications import drafts
from madoguchi.applications import retention as cases
from madoguchi.applications.models import Application
from madoguchi.approvals import services as approvals
from madoguchi.catalog.models import MAX_RETENTION_YEARS, Procedure
from madoguchi.channels import services as channels
from madoguchi.core import audit
from madoguchi.core.models import AuditEvent, User
from madoguchi.faq import services as faq
from madoguchi.issuance import services as issuance
from madoguchi.reservations import services as reservations

from .models import Tally

if TYPE_CHECKING:
    from madoguchi.faq.models import Inquiry

# The once-only keys of sent notices outlive any re-run of their task (core.task_recovery).
SENT_NOTICE_KEYS = dt.timedelta(days=90)


class RetentionRefused(Exception):
    """A retention period outside 1..MAX_RETENTION_YEARS."""


@dataclass
class Report:
    applications: int = 0
    files: int = 0
    drafts: int = 0
    bookings: int = 0
    audit_events: int = 0
    inquiries: int = 0
    chat_questions: int = 0
    held: int = 0
    per_procedure: dict[str, int] = field(default_factory=dict)


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """The same day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _month(moment: dt.datetime) -> dt.date:
    local = timezone.localtime(moment)
    return dt.date(local.year, local.month, 1)


def _count(kind: str, subject: str, month: dt.date, deleted: int) -> None:
    tally, _created = Tally.objects.get_or_create(kind=kind, subject=subject, month=month)
    Tally.objects.filter(pk=tally.pk).update(deleted=F("deleted") + deleted)


def _delete_files(names: Iterable[str]) -> None:
    for name in sorted(names):
        default_storage.delete(name)


def delete_expired_case(application: Application) -> int | None:
    """Delete one expired case with everything that belongs to it; returns how many files, or
    None when it may no longer be deleted (a hold placed or a status changed meanwhile)."""
    decided_at = application.decided_at  # type: ignore[attr-defined]
    years = application.procedure.retention_years
    with transaction.atomic():
        locked = Application.objects.select_for_update().filter(
            pk=application.pk, legal_hold_reason="", status__in=cases.DECIDED).first()
        if locked is None:
            return None
        approvals.delete_for_application(locked)
        files = issuance.delete_for_application(locked)
        files |= cases.delete_case(locked)
        _count(Tally.Kind.APPLICATION, application.procedure.slug, _month(decided_at), 1)
        AuditEvent.objects.create(
            actor=None, actor_label="retention", action="retention.deleted",
            target_type="application", target_id=str(application.public_id),
            details={"why": "retention period ended", "procedure": application.procedure.slug,
                     "decided": _month(decided_at).isoformat()[:7], "retention_years": years,
                     "kept_until": cases.kept_until(decided_at, years).isoformat(),
                     "files": len(files), "status": application.status},
        )
        transaction.on_commit(lambda: _delete_files(files))
    return len(files)


def delete_expired_inquiry(inquiry: Inquiry, before: dt.datetime, years: int) -> bool:
    """Delete one inquiry past its period, counted and audited; False if it no longer is."""
    with transaction.atomic():
        deleted = faq.delete_expired_inquiry(inquiry, before)
        if deleted is None:
            return False
        month = _month(deleted.last_activity)
        _count(Tally.Kind.INQUIRY, deleted.department, month, 1)
        AuditEvent.objects.create(
            actor=None, actor_label="retention", action="retention.deleted",
            target_type="inquiry", target_id=deleted.public_id,
            details={"why": "retention period ended", "department": deleted.department,
                     "last_activity": month.isoformat()[:7], "retention_years": years,
                     "kept_until": _kept_until(deleted.last_activity, years).isoformat(),
                     "messages": deleted.messages, "status": deleted.status},
        )
    return True


def _kept_until(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def run(now: dt.datetime | None = None) -> Report:
    """Delete everything past its retention period at ``now`` (default: now; tests pass a later
    time to travel there). Safe to run twice: what is gone is not found again."""
    now = now or timezone.now()
    report = Report()
    for application in list(cases.expired(now)):
        files = delete_expired_case(application)
        if files is None:
            continue
        report.applications += 1
        report.files += files
        slug = application.procedure.slug
        report.per_procedure[slug] = report.per_procedure.get(slug, 0) + 1
    report.held = cases.with_decision().exclude(legal_hold_reason="").count()
    report.drafts = drafts.purge_expired(now)
    booking_counts = reservations.purge_past_bookings(
        now - dt.timedelta(days=settings.BOOKING_RETENTION_DAYS))
    with transaction.atomic():
        for (code, month), count in booking_counts.items():
            _count(Tally.Kind.BOOKING, code, month, count)
    report.bookings = sum(booking_counts.values())
    inquiry_years = settings.INQUIRY_RETENTION_YEARS
    inquiries_before = years_before(now, inquiry_years)
    for inquiry in list(faq.expired_inquiries(inquiries_before)):
        report.inquiries += delete_expired_inquiry(inquiry, inquiries_before, inquiry_years)
    report.chat_questions = faq.purge_chat_questions(inquiries_before)
    channels.forget_sent_notices(now - SENT_NOTICE_KEYS)
    report.audit_events = audit.purge_before(years_before(now, settings.AUDIT_RETENTION_YEARS))
    AuditEvent.objects.create(
        actor=None, actor_label="retention", action="retention.run",
        details={"at": now.isoformat(), "applications": report.applications,
                 "files": report.files, "drafts": report.drafts, "bookings": report.bookings,
                 "audit_events": report.audit_events, "inquiries": report.inquiries,
                 "chat_questions": report.chat_questions, "held": report.held},
    )
    return report


def set_retention_years(*, procedure: Procedure, years: int, actor: User) -> Procedure:
    """Set a procedure's 保存年限 (1..MAX_RETENTION_YEARS), audited with the old value."""
    if not 1 <= years <= MAX_RETENTION_YEARS:
        raise RetentionRefused(years)
    old = procedure.retention_years
    Procedure.objects.filter(pk=procedure.pk).update(retention_years=years)
    procedure.retention_years = years
    AuditEvent.objects.create(
        actor=actor, actor_label=actor.email, action="procedure.retention",
        target_type="procedure", target_id=procedure.slug,
        details={"from": old, "to": years})
    return procedure
