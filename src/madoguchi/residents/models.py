"""Resident accounts (the sign-in identity lives in core.User)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Resident(models.Model):
    """A resident who signed up with e-mail and password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_profile"
    )
    preferred_language = models.CharField(max_length=8, default="ja")
    created_at = models.DateTimeField(default=timezone.now)
    # When the resident opened the confirmation link mailed at sign-up (or reset their password
    # through a mailed link). Until then the account may sign in and keep drafts but not apply.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.user.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None
