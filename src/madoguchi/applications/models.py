"""Submitted applications, their status and the append-only history of status changes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned for correction")
    IN_APPROVAL = "in_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ISSUED = "issued", _("Document issued")
    # Set by the system only: the applicant deleted their account before a decision.
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")


# The default status machine: which status may follow which. A procedure may have its own
# (:class:`Workflow`, set by an administrator). 差戻し (returned) and 決裁中 (in approval) are
# entered and left through their own steps: a correction request and the resident's resubmission,
# an approval route and its decisions.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.UNDER_REVIEW, Status.REJECTED),
    Status.UNDER_REVIEW: (Status.RETURNED, Status.IN_APPROVAL, Status.APPROVED, Status.REJECTED),
    Status.RETURNED: (Status.UNDER_REVIEW,),
    Status.IN_APPROVAL: (Status.APPROVED, Status.REJECTED, Status.UNDER_REVIEW),
    Status.APPROVED: (Status.ISSUED,),
    Status.REJECTED: (),
    Status.ISSUED: (),
    Status.WITHDRAWN: (),
}
# Transitions that must say why, because the resident is shown the reason.
REASON_REQUIRED: frozenset[str] = frozenset({Status.REJECTED, Status.RETURNED})
# Statuses a staff member sets with the status buttons; the others have their own steps.
MANUAL_TARGETS: frozenset[str] = frozenset(
    {Status.UNDER_REVIEW, Status.APPROVED, Status.REJECTED}
)


class Workflow(models.Model):
    """A procedure's own status machine (else :data:`TRANSITIONS` applies)."""

    procedure = models.OneToOneField("catalog.Procedure", on_delete=models.CASCADE,
                                     related_name="workflow")
    transitions = models.JSONField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")

    def __str__(self) -> str:
        return f"workflow of {self.procedure_id}"


def transitions_for(procedure_id: int) -> dict[str, tuple[str, ...]]:
    """The status machine of a procedure: its own, or the default."""
    custom = Workflow.objects.filter(procedure_id=procedure_id).values_list(
        "transitions", flat=True
    ).first()
    if not isinstance(custom, dict):
        return TRANSITIONS
    return {s: tuple(t for t in custom.get(s, []) if t in Status.values) for s in Status.values}


class Channel(models.TextChoices):
    """How an application came in: the resident's own pages, a clerk at the counter (書かない
    窓口, :mod:`madoguchi.counter`), LINE (nothing sets it yet: a form opened from LINE runs
    the same resident pages), or a paper form (紙の申請書: nothing in the product creates one
    yet; the demo's history has some, for the effect dashboard)."""

    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    LINE = "line", _("LINE")
    PAPER = "paper", _("Paper application form")


class Application(models.Model):
    """One resident's submitted answers to one form version, with its receipt number."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    receipt_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    submission_token = models.UUIDField(unique=True)
    form_version = models.ForeignKey(
        "forms.FormVersion", on_delete=models.PROTECT, related_name="applications"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="applications"
    )
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="applications"
    )
    # Empty for forms anyone may use without an account (an event, a survey).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant_name = models.CharField(max_length=120)
    applicant_name_key = models.CharField(max_length=120, db_index=True)
    # The furigana as a search key (jp.names.furigana_search_key): how a kana query finds a
    # kanji name. Without furigana, the name's key with small kana written large.
    applicant_kana_key = models.CharField(max_length=120, blank=True, default="")
    contact_email = models.EmailField()
    answers = models.JSONField(default=dict)
    # Who verified the applicant's identity for a form that needs it: {"provider", "label",
    # "level", "verified_at", "fields": [locked field keys]}; empty for an e-mail account.
    identity_verification = models.JSONField(default=dict, blank=True)
    sealed_answers = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    # The language the resident applied in (a code of core.languages): what the form was shown
    # in when it was sent. Answers are stored language-neutral; this tells the clerk, and the
    # notices of a resident without an account go out in it.
    language = models.CharField(max_length=16, default="ja")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_applications",
    )
    status_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # 訴訟ホールド: while set, the case is never deleted at the end of its retention period.
    legal_hold_reason = models.TextField(blank=True)
    legal_hold_since = models.DateTimeField(null=True, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # The department inbox (selectors.inbox_page): one index per order, each ending in
            # the id, so a page is a short index range scan from its cursor whatever the table
            # size, read backwards for the newest first. Ascending columns keep the id in step
            # with the time in both directions (SQLite appends the rowid ascending).
            models.Index(fields=["department", "status", "submitted_at", "id"],
                         name="app_inbox_idx"),
            models.Index(fields=["applicant", "-submitted_at"], name="app_mine_idx"),
            models.Index(fields=["department", "submitted_at", "id"],
                         name="app_dept_submitted_idx"),
            models.Index(fields=["department", "updated_at", "id"], name="app_dept_updated_idx"),
            models.Index(fields=["department", "receipt_number"], name="app_dept_receipt_idx"),
            models.Index(fields=["department", "assignee", "submitted_at", "id"],
                         name="app_dept_assignee_idx"),
            models.Index(fields=["procedure", "submitted_at", "id"],
                         name="app_proc_submitted_idx"),
            # Name search by prefix; the pattern opclass (PostgreSQL only) serves LIKE 'key%'
            # under any collation. With the time and id the newest matches come from the
            # index alone, however many there are.
            models.Index(fields=["department", "applicant_name_key", "submitted_at", "id"],
                         name="app_dept_name_idx",
                         opclasses=["int8_ops", "varchar_pattern_ops", "timestamptz_ops",
                                    "int8_ops"]),
            # The same for a search by furigana (a query in kana).
            models.Index(fields=["department", "applicant_kana_key", "submitted_at", "id"],
                         name="app_dept_kana_idx",
                         opclasses=["int8_ops", "varchar_pattern_ops", "timestamptz_ops",
                                    "int8_ops"]),
        ]

    def __str__(self) -> str:
        return self.receipt_number or str(self.public_id)

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return transitions_for(self.procedure_id).get(self.status, ())


class Draft(models.Model):
    """A half-filled application, saved after every page so it can be resumed.

    A signed-in resident has at most one draft per form (resumed from the my page); an
    anonymous one finds theirs through the session or an e-mailed resume link. Answers of
    sensitive fields (マイナンバー, bank account), typed or clean, are kept only in ``sealed``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form = models.ForeignKey("forms.FormDefinition", on_delete=models.CASCADE,
                             related_name="resident_drafts")
    version = models.ForeignKey("forms.FormVersion", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="drafts",
    )
    submission_token = models.UUIDField(default=uuid.uuid4)
    raw = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)
    sealed = models.TextField(blank=True)
    done_pages = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "form"], condition=models.Q(owner__isnull=False),
                name="one_draft_per_resident_and_form",
            )
        ]

    def __str__(self) -> str:
        return f"draft {self.public_id}"


class StatusEvent(models.Model):
    """A status change: who moved the application, when, and why. Never edited."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        # The daily roll-up of the effect dashboard (bpr) reads one day's events.
        indexes = [models.Index(fields=["at"], name="app_event_at_idx")]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("status events are append-only")
        super().save(*args, **kwargs)


class CorrectionRequest(models.Model):
    """差戻し: staff ask the resident to correct some answers, and why. One per round; the
    resident's resubmission closes it with what changed (sensitive values masked)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="corrections")
    round = models.PositiveIntegerField()
    fields = models.JSONField()
    message = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    resubmitted_at = models.DateTimeField(null=True, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["round"]
        constraints = [models.UniqueConstraint(fields=["application", "round"],
                                               name="unique_correction_round")]

    def __str__(self) -> str:
        return f"{self.application_id} round {self.round}"


class InternalComment(models.Model):
    """A note between staff on a case; never shown to the resident, never edited."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("comments are append-only")
        super().save(*args, **kwargs)
