"""Residents' channel choices, and the state of the LINE channel (accounts, events, pushes)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy


class ChannelPreference(models.Model):
    """The channels a resident wants notices on (codes of registered channels)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="channel_preference")
    channels = models.JSONField(default=list)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} → {', '.join(self.channels)}"


class LineAccount(models.Model):
    """A LINE user who added the city's official account, and the resident it is linked to."""

    line_user_id = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="line_account")
    followed = models.BooleanField(default=True)
    followed_at = models.DateTimeField(null=True, blank=True)
    unfollowed_at = models.DateTimeField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.line_user_id


class LineWebhookEvent(models.Model):
    """A webhook event already handled (``webhookEventId``), so a replayed one is ignored."""

    event_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32)
    event_time = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)


class LineLinkNonce(models.Model):
    """The one-time nonce of LINE's account-link flow, bound to the resident who signed in.

    Only its SHA-256 is stored; it is used once, within :data:`NONCE_LIFETIME`.
    """

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)


class LinePush(models.Model):
    """One push message to a LINE user and the story of its delivery (retried with backoff)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Waiting")
        RETRYING = "retrying", pgettext_lazy("delivery status", "Retrying")
        SENT = "sent", pgettext_lazy("delivery status", "Sent")
        FAILED = "failed", pgettext_lazy("delivery status", "Failed")
        CANCELLED = "cancelled", pgettext_lazy("delivery status", "Cancelled")

    to = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    messages = models.JSONField()
    kind = models.CharField(max_length=64)
    retry_key = models.UUIDField(default=uuid.uuid4, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to} ({self.status})"


class SentNotice(models.Model):
    """A notice delivered under a once-only key (``notify(..., once=key)``), so that a task run
    again after its worker died does not deliver it a second time. The key names the event
    (``application.received:42``) or the task run, never a person."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=64)
    channels = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.key
