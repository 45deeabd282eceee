"""Reading which channels reach a resident."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from madoguchi.core.models import User


def preferred_channels(user: User | None) -> list[str]:
    """The channel codes ``user`` wants notices on, most preferred first (e-mail by default)."""
    return ["email"]
