"""The demo's approved 通学費補助 cases carry a confirmed amount: the treasury page has payees."""

from __future__ import annotations

from madoguchi.catalog.models import Procedure
from madoguchi.demo.cases import load_demo_cases, subsidy_amount
from madoguchi.payments.transfers import selectors


def test_the_subsidy_follows_the_procedures_rule():
    assert subsidy_amount(15_000) == 30_000  # 5,000 a month for six months
    assert subsidy_amount(40_000) == 60_000  # at most 10,000 a month
    assert subsidy_amount(4_000) == 0


def test_approved_demo_cases_are_payees(demo):
    load_demo_cases(count=10)
    payees = selectors.payees(Procedure.objects.get(slug="tsugaku-hojo"))
    assert len(payees) == 2  # one approved, one approved and issued (or left approved)
    for payee in payees:
        cost = int(payee.application.answers["monthly_pass_cost"])
        assert payee.payout.amount == subsidy_amount(cost) > 0
        assert payee.account["holder"] and payee.account["bank_code"] in ("0001", "0005")
