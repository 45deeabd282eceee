"""The payment status machine and the fee arithmetic (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.payments import state

STATUSES = sorted(state.TRANSITIONS)
AMOUNT = 710


def test_the_transitions():
    assert state.can_move("pending", "paid")
    assert state.can_move("failed", "paid")  # a second card attempt on the same session
    assert not state.can_move("paid", "failed")
    assert not state.can_move("paid", "pending")
    assert not state.can_move("refunded", "paid")
    assert state.next_status("pending", "paid", refunded=0, amount=AMOUNT) == "paid"
    assert state.next_status("paid", "paid", refunded=0, amount=AMOUNT) is None
    assert state.next_status("paid", "failed", refunded=0, amount=AMOUNT) is None
    assert state.next_status("paid", "pending", refunded=0, amount=AMOUNT) is None


def test_refunds_grow_only():
    assert state.next_status("paid", "paid", refunded=300, amount=AMOUNT) == \
        "partially_refunded"
    assert state.next_status("partially_refunded", "partially_refunded", refunded=300,
                             amount=AMOUNT, current_refunded=300) is None
    assert state.next_status("partially_refunded", "partially_refunded", refunded=400,
                             amount=AMOUNT, current_refunded=300) == "partially_refunded"
    assert state.next_status("partially_refunded", "refunded", refunded=AMOUNT,
                             amount=AMOUNT, current_refunded=300) == "refunded"
    assert state.next_status("refunded", "partially_refunded", refunded=300, amount=AMOUNT,
                             current_refunded=AMOUNT) is None
    # Paid and refunded before we heard of it: the refund is recorded.
    assert state.next_status("pending", "refunded", refunded=AMOUNT, amount=AMOUNT) == \
        "refunded"


REPORTS = st.lists(st.tuples(st.sampled_from(["pending", "paid", "failed", "expired",
                                              "cancelled"]),
                             st.sampled_from([0, 0, 100, 300, AMOUNT])), max_size=30)


@given(REPORTS)
def test_any_sequence_of_reports_moves_forward_only(reports):
    """Whatever order reports arrive in: paid is never lost, refunds never shrink, and each
    change is a permitted transition."""
    current, refunded = "pending", 0
    seen_paid = False
    for status, report_refund in reports:
        reported_refund = report_refund if status == "paid" else 0
        new = state.next_status(current, status, refunded=reported_refund, amount=AMOUNT,
                                current_refunded=refunded)
        if new is None:
            continue
        assert new != current or new == "partially_refunded"
        assert state.can_move(current, new) or (
            new in ("refunded", "partially_refunded") and state.can_move(current, "paid"))
        if current in state.SETTLED:
            assert new in state.SETTLED
        current = new
        refunded = max(refunded, reported_refund)
        seen_paid = seen_paid or status == "paid"
    if seen_paid:
        assert current in state.SETTLED


@given(st.lists(st.sampled_from(STATUSES), max_size=20))
def test_replaying_a_report_changes_nothing(reports):
    current = "pending"
    for status in reports:
        new = state.next_status(current, status, refunded=0, amount=AMOUNT)
        if new is not None:
            current = new
        assert state.next_status(current, status, refunded=0, amount=AMOUNT) in (None,) or \
            status == "partially_refunded"


def test_the_charge():
    assert state.charge(copies=2, per_copy=300, postage=110).amount == 710
    waived = state.charge(copies=2, per_copy=300, postage=110, exempt=True)
    assert (waived.amount, waived.exempted) == (110, 600)
    assert state.charge(copies=1, per_copy=300, postage=110, exempt=True,
                        exempt_postage=True).amount == 0
    with pytest.raises(ValueError):
        state.charge(copies=0, per_copy=300, postage=0)


@given(st.integers(1, 100), st.integers(0, 10_000), st.integers(0, 2_000), st.booleans(),
       st.booleans())
def test_the_charge_is_never_negative_and_adds_up(copies, per_copy, postage, exempt, both):
    due = state.charge(copies=copies, per_copy=per_copy, postage=postage, exempt=exempt,
                       exempt_postage=both)
    assert 0 <= due.amount <= copies * per_copy + postage
    assert due.amount + due.exempted == copies * per_copy + postage
