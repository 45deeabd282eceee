"""What the payments add to a case's timeline and state (``applications.timeline``) and to
its approval (``applications.decisions.approval_checks``): 支払待ち, 支払済み, 手数料免除."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.applications.timeline import Progress, Step

from . import selectors, state


def _yen(amount: int) -> str:
    return _("%(amount)s yen") % {"amount": f"{amount:,}"}


def progress(application: Any) -> Progress | None:
    """支払待ち (with the pay link) or 支払済み / 手数料免除, once a fee was asked or waived."""
    fee = selectors.fee_state(application)
    if fee == selectors.AWAITING:
        payment = selectors.open_payment(application)
        amount = _yen(payment.amount) if payment else ""
        return Progress(
            code="awaiting_payment",
            label=_("Awaiting payment (%(amount)s)") % {"amount": amount},
            rank=10,
            url=reverse("payments:pay", args=[payment.public_id]) if payment else "",
            action=_("Pay the fee"),
        )
    if fee == selectors.PAID:
        return Progress(code="paid", label=_("Fee paid"), rank=20)
    if fee == selectors.WAIVED:
        return Progress(code="fee_waived", label=_("Fee waived"), rank=20)
    if fee == selectors.REFUNDED:
        return Progress(code="refunded", label=_("Fee refunded"), rank=20)
    return None


def steps(application: Any) -> list[Step]:
    """The fee asked (with its amount and the pay link while open) and each change of its
    payments that the resident cares about (paid with the receipt, failed, refunded)."""
    found: list[Step] = []
    asked = selectors.for_application(application.pk)
    if asked:
        first = asked[-1]  # the oldest attempt: when the fee was asked
        open_payment = selectors.open_payment(application)
        found.append(
            Step(
                at=first.created_at,
                kind="due",
                label=_("Fee to pay: %(amount)s") % {"amount": _yen(first.amount)},
                detail=_("%(fee)s × %(copies)s copies + postage %(postage)s")
                % {
                    "fee": _yen(first.per_copy),
                    "copies": first.copies,
                    "postage": _yen(first.postage),
                },
                url=reverse("payments:pay", args=[open_payment.public_id]) if open_payment else "",
                link_label=_("Pay the fee") if open_payment else "",
            )
        )
    labels = {
        state.PAID: _("Payment received"),
        state.FAILED: _("Payment not completed"),
        state.EXPIRED: _("Payment expired"),
        state.REFUNDED: _("Fee refunded"),
        state.PARTIALLY_REFUNDED: _("Fee partly refunded"),
    }
    for event in selectors.events_of(application):
        if event.to_status not in labels:
            continue
        paid = event.to_status == state.PAID
        found.append(
            Step(
                at=event.created_at,
                kind=event.to_status,
                label=str(labels[event.to_status]),
                detail=_yen(event.payment.amount) if paid else "",
                url=reverse("payments:receipt", args=[event.payment.public_id]) if paid else "",
                link_label=_("Receipt (領収書, PDF)") if paid else "",
            )
        )
    waived = selectors.waiver_of(application)
    if waived is not None:
        found.append(Step(at=waived.waived_at, kind="waived", label=_("Fee waived")))
    return found


def approval_needs_fee(application: Any) -> bool:
    return selectors.asks_fee_at_approval(application)
