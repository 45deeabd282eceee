"""Signed references to a ticket for its public page (the QR code and the online cookie)."""

from __future__ import annotations

from django.core import signing

from .models import Ticket

SALT = "madoguchi.tickets.ticket"
COOKIE = "mg_ticket"


def ticket_token(ticket: Ticket) -> str:
    """A URL-safe signed token naming the ticket (its id and day: not guessable)."""
    return signing.dumps([ticket.pk, ticket.day.isoformat()], salt=SALT, compress=False)


def read_token(token: str) -> tuple[int, str] | None:
    """(ticket id, day) from a token, or None when it is forged, broken or junk."""
    try:
        pk, day = signing.loads(token, salt=SALT)
        return int(pk), str(day)
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        return None
