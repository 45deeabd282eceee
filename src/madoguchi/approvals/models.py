"""Electronic approval (電子決裁): routes per procedure, requests (起案) and their decisions.

A route lists the roles that approve in turn (e.g. 係長 = approver, then 課長 = head) after the
clerk who drafts. A request copies the route when it starts, so changing a route never changes a
request under way. Decisions are append-only; a request returned to the clerk is closed and a new
one supersedes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core.i18n import localized


class ApprovalRoute(models.Model):
    """Who approves a procedure's decisions, in order: ``steps`` is a list of
    ``{"role": "approver" | "head" | "admin", "label": {"ja": "係長", "en": "Section chief"}}``."""

    procedure = models.OneToOneField("catalog.Procedure", on_delete=models.CASCADE,
                                     related_name="approval_route")
    steps = models.JSONField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return " → ".join(localized(s.get("label")) for s in self.steps)


class ApprovalRequest(models.Model):
    """One 起案: a clerk proposes a decision (approve or reject) and the route decides it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned to the clerk")

    class Proposal(models.TextChoices):
        APPROVE = "approve", _("Approve the application")
        REJECT = "reject", _("Reject the application")

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                    related_name="approval_requests")
    proposal = models.CharField(max_length=10, choices=Proposal.choices)
    summary = models.TextField()
    steps = models.JSONField()
    current_step = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["drafted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=models.Q(state="pending"),
                                    name="one_pending_approval_per_application")
        ]

    def __str__(self) -> str:
        return f"approval {self.pk} of {self.application_id}"

    @property
    def step(self) -> dict | None:
        """The step that decides next (``None`` once closed)."""
        if self.state != self.State.PENDING or self.current_step >= len(self.steps):
            return None
        return self.steps[self.current_step]


class Decision(models.Model):
    """A step's decision. Never edited: a later decision or request supersedes it."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned with a comment")
        REJECT = "reject", _("Rejected")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT,
                                related_name="decisions")
    step = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("decisions are never edited")
        super().save(*args, **kwargs)


class Delegation(models.Model):
    """While ``delegator`` is away, ``delegate`` decides their steps on their behalf."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="delegations_received")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.delegator_id} → {self.delegate_id} ({self.starts_on}–{self.ends_on})"
