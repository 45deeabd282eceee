"""The payment status machine and the fee arithmetic (pure functions, no database).

A provider's report is the truth about money, but reports arrive late, twice and out of
order. :func:`next_status` takes what we hold and what the provider now says and answers the
status to keep: it never goes back (a stale "pending" or "failed" after "paid" changes
nothing), and refunds only grow.
"""

from __future__ import annotations

from dataclasses import dataclass

PENDING = "pending"
PAID = "paid"
FAILED = "failed"
EXPIRED = "expired"
CANCELLED = "cancelled"
REFUNDED = "refunded"
PARTIALLY_REFUNDED = "partially_refunded"

# Which status may follow which. Failed, expired and cancelled may still become paid: the
# provider took the money (a konbini payment made at the last minute, a second card attempt on
# the same session), and the city's records must say so, to refund it if need be.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({PAID, FAILED, EXPIRED, CANCELLED}),
    FAILED: frozenset({PAID, EXPIRED}),
    EXPIRED: frozenset({PAID}),
    CANCELLED: frozenset({PAID}),
    PAID: frozenset({REFUNDED, PARTIALLY_REFUNDED}),
    PARTIALLY_REFUNDED: frozenset({PARTIALLY_REFUNDED, REFUNDED}),
    REFUNDED: frozenset(),
}
OPEN = frozenset({PENDING})
SETTLED = frozenset({PAID, PARTIALLY_REFUNDED, REFUNDED})


def can_move(current: str, new: str) -> bool:
    """Whether ``new`` may follow ``current``."""
    return new in TRANSITIONS.get(current, frozenset())


def next_status(current: str, reported: str, *, refunded: int, amount: int,
                current_refunded: int = 0) -> str | None:
    """The status to move to after a provider's report, or ``None`` to change nothing.

    ``refunded`` is the total the provider says went back; a refund report is accepted only
    when it adds to what we know (the same partial refund twice is one change).
    """
    target = reported
    if refunded > 0 and reported in (PAID, REFUNDED, PARTIALLY_REFUNDED):
        target = REFUNDED if refunded >= amount else PARTIALLY_REFUNDED
    if target == current:
        grew = target == PARTIALLY_REFUNDED and refunded > current_refunded
        return target if grew else None
    if can_move(current, target):
        return target
    if target in (REFUNDED, PARTIALLY_REFUNDED) and can_move(current, PAID):
        return target  # paid and refunded before we heard of the payment
    return None


@dataclass(frozen=True)
class Charge:
    """What an application owes: copies × fee + postage − exemption (whole yen)."""

    copies: int
    per_copy: int
    postage: int
    exempted: int

    @property
    def amount(self) -> int:
        return self.copies * self.per_copy + self.postage - self.exempted


def charge(*, copies: int, per_copy: int, postage: int, exempt: bool = False,
           exempt_postage: bool = False) -> Charge:
    """The charge for ``copies``; an exemption waives the fee (and the postage if it says so)."""
    if copies < 1:
        raise ValueError("at least one copy")
    gross = copies * per_copy + postage
    waived = 0
    if exempt:
        waived = copies * per_copy + (postage if exempt_postage else 0)
    return Charge(copies=copies, per_copy=per_copy, postage=postage, exempted=min(waived, gross))
