"""The seam through which an app of the decisions floor takes over a case's decision.

A procedure may be decided (承認 / 却下) by a step of its own instead of the status buttons:
today an approval route (電子決裁, the ``approvals`` app). ``applications`` sits below the apps
that know this and never imports them: each registers a check here in its ``AppConfig.ready()``,
and the status machine asks :func:`decided_by_own_step`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from madoguchi.core.plugins import Registry

DecisionCheck = Callable[[int], bool]
"""Given a procedure's id: whether its decisions are taken by the registering app's step."""

decision_checks: Registry[DecisionCheck] = Registry("decision_checks")


def decided_by_own_step(procedure_id: int) -> bool:
    """Whether an enabled check says the procedure is decided by its own step."""
    return any(check(procedure_id) for _id, check in decision_checks.enabled())


ApprovalCheck = Callable[[Any], bool]
"""Given an application: whether approving it (承認 only; 却下 stays a status button) is the
registering app's own step, because approving must state something (the fee to pay)."""

approval_checks: Registry[ApprovalCheck] = Registry("approval_checks")


def approved_by_own_step(application: Any) -> bool:
    """Whether an enabled check says ``application`` is approved by its own step (e.g. the
    payments app's 「承認して手数料を請求」, which states the amount)."""
    return any(check(application) for _id, check in approval_checks.enabled())
