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

    def __str__(self) -> str:
        return self.user.email
