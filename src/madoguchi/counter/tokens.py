"""The signed address of a visit's resident-facing screen (a second window facing the resident).

The token names one visit and expires; whoever holds it sees that visit's confirmation screen
and nothing else.
"""

from __future__ import annotations

import uuid

from django.core import signing

SALT = "madoguchi.counter.screen"
MAX_AGE = 4 * 60 * 60  # a visit lasts less than half a day


def screen_token(public_id: uuid.UUID) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(public_id))


def visit_of_token(token: str) -> uuid.UUID | None:
    """The visit a valid, unexpired token names, else ``None``."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token[:200], max_age=MAX_AGE)
        return uuid.UUID(value)
    except (signing.BadSignature, ValueError):
        return None
