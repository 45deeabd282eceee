"""Reads for resident accounts."""

from __future__ import annotations

from typing import Any

from .models import Resident


def email_confirmed(user: Any) -> bool:
    """Whether the resident ``user`` confirmed their e-mail address (False without a profile)."""
    return Resident.objects.filter(user_id=user.pk, email_confirmed_at__isnull=False).exists()


def must_confirm_email(user: Any) -> bool:
    """A signed-in resident who has not confirmed their address yet (and so cannot apply)."""
    return bool(user is not None and user.is_authenticated and user.is_resident
                and not email_confirmed(user))
