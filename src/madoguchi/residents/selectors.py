"""Reads for resident accounts."""

from __future__ import annotations

from typing import Any

from madoguchi.core.models import User
from madoguchi.identity import selectors as identity_selectors
from madoguchi.identity.contrib.oidc.provider import oidc_providers

from .models import Resident


def email_confirmed(user: Any) -> bool:
    """Whether the resident ``user`` confirmed their e-mail address (False without a profile)."""
    return Resident.objects.filter(user_id=user.pk, email_confirmed_at__isnull=False).exists()


def must_confirm_email(user: Any) -> bool:
    """A signed-in resident who has not confirmed their address yet (and so cannot apply)."""
    return bool(user is not None and user.is_authenticated and user.is_resident
                and not email_confirmed(user))


def identity_rows(user: User) -> list[dict[str, object]]:
    """The configured resident identity providers and whether ``user`` is linked to each."""
    linked = identity_selectors.linked_providers(user)
    return [{"provider": p, "linked": p.id in linked} for p in oidc_providers("resident")]


VERIFIED_IDENTITY = "verified_identity"  # session: what an identity provider vouched for


def verified_identity(request: Any) -> dict[str, Any] | None:
    """What an identity provider verified in this session for the signed-in resident, or None.

    Written at the provider's callback (``residents.views.remember_identity``); it belongs to
    the account signed in then, and ends with the session (sign-out) or an unlink.
    """
    data = request.session.get(VERIFIED_IDENTITY)
    user = getattr(request, "user", None)
    if (not isinstance(data, dict) or user is None or not user.is_authenticated
            or data.get("user") != user.pk):
        return None
    return data
