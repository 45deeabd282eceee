"""Which provider identity (provider id + subject) belongs to which account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdentityLink(models.Model):
    """An account linked to a provider's subject: signing in there signs in this account.

    One subject of a provider belongs to at most one account, and an account has at most one
    subject per provider.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="identity_links")
    provider = models.CharField(max_length=40)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_link_subject"),
            models.UniqueConstraint(fields=["user", "provider"], name="identity_link_user"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.user_id}"
