"""Reading which channels reach a resident, and their LINE account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import ChannelPreference, LineAccount

if TYPE_CHECKING:
    from madoguchi.core.models import User

DEFAULT_CHANNELS = ["email"]


def preferred_channels(user: User | None) -> list[str]:
    """The channel codes ``user`` wants notices on, most preferred first (e-mail by default)."""
    if user is None or not user.pk:
        return list(DEFAULT_CHANNELS)
    chosen = (ChannelPreference.objects.filter(user=user)
              .values_list("channels", flat=True).first())
    return list(chosen) if chosen else list(DEFAULT_CHANNELS)


def line_account_for(user: User | None) -> LineAccount | None:
    """The LINE account linked to ``user`` that still follows the city (else ``None``)."""
    if user is None or not user.pk:
        return None
    return LineAccount.objects.filter(user=user, followed=True).first()


def linked_line_account(user: User) -> LineAccount | None:
    """The LINE account linked to ``user``, following or not."""
    return LineAccount.objects.filter(user=user).first()


def line_account_by_id(line_user_id: str) -> LineAccount | None:
    """The LINE account of ``line_user_id`` with its resident, or ``None`` if never seen."""
    return LineAccount.objects.select_related("user", "user__resident_profile").filter(
        line_user_id=line_user_id).first()
