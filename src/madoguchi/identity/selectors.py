"""Reads about linked provider identities."""

from __future__ import annotations

from madoguchi.core.models import User

from .models import IdentityLink


def linked_providers(user: User) -> set[str]:
    """The ids of the providers the account is linked to."""
    return set(IdentityLink.objects.filter(user=user).values_list("provider", flat=True))
