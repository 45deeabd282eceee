"""Linking provider identities to accounts (writes)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from madoguchi.core.models import User

from .models import IdentityLink
from .plugins import VerifiedIdentity


class LinkRefused(Exception):
    """The identity is already linked to another account (``message`` for the resident)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def linked_user(identity: VerifiedIdentity) -> User | None:
    """The account linked to this provider identity, if any (and marks the link used)."""
    link = (IdentityLink.objects.select_related("user")
            .filter(provider=identity.provider, subject=identity.subject).first())
    if link is None:
        return None
    IdentityLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return link.user


def link(user: User, identity: VerifiedIdentity, *, refused_message: str) -> IdentityLink:
    """Link ``identity`` to ``user``; refused when another account holds it already.

    Linking again the identity the account already holds is a no-op; a different subject of
    the same provider replaces the account's previous link.
    """
    existing = IdentityLink.objects.filter(provider=identity.provider,
                                           subject=identity.subject).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise LinkRefused(refused_message)
        return existing
    try:
        with transaction.atomic():
            IdentityLink.objects.filter(user=user, provider=identity.provider).delete()
            return IdentityLink.objects.create(user=user, provider=identity.provider,
                                               subject=identity.subject)
    except IntegrityError as exc:  # linked elsewhere at the same moment
        raise LinkRefused(refused_message) from exc


def unlink(user: User, provider: str) -> bool:
    """Remove the account's link to ``provider``; whether there was one."""
    deleted, _ = IdentityLink.objects.filter(user=user, provider=provider).delete()
    return deleted > 0
