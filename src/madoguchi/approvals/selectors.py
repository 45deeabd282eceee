"""Reads for electronic approval: who may decide a step, the trail of a case, delegations and the
procedures whose route an administrator sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from madoguchi.applications.models import Application
from madoguchi.catalog.models import Procedure
from madoguchi.core.models import User
from madoguchi.staff.models import StaffMember

from .models import ApprovalRequest, ApprovalRoute, Delegation


def acting_for(staff: StaffMember, role: str, today: dt.date) -> User | None | bool:
    """Whether ``staff`` may decide a step for ``role``: ``None`` in their own right (they hold
    the role: each step is its role's, nobody skips ahead), the user they stand in for under an
    active delegation, or ``False`` when they may not."""
    if staff.role == role:
        return None
    delegation = (
        Delegation.objects.filter(delegate=staff.user, starts_on__lte=today, ends_on__gte=today,
                                  delegator__staff_profile__department_id=staff.department_id)
        .select_related("delegator__staff_profile")
        .order_by("-starts_on")
    )
    for item in delegation:
        if item.delegator.staff_profile.role == role:
            return item.delegator
    return False


def route_of(procedure_id: int) -> ApprovalRoute | None:
    return ApprovalRoute.objects.filter(procedure_id=procedure_id).first()


def has_route(procedure_id: int) -> bool:
    """Whether the procedure's decisions go through an approval route."""
    return ApprovalRoute.objects.filter(procedure_id=procedure_id).exists()


def pending(application: Application) -> ApprovalRequest | None:
    return application.approval_requests.filter(state=ApprovalRequest.State.PENDING).first()


def trail(application: Application) -> list[dict[str, Any]]:
    """Every request of the case with its decisions, oldest first (the full 決裁 trail)."""
    requests = (application.approval_requests.select_related("drafted_by")
                .prefetch_related("decisions__decided_by", "decisions__on_behalf_of"))
    return [{"request": r, "decisions": list(r.decisions.all())} for r in requests]


def colleagues(staff: StaffMember) -> QuerySet[StaffMember]:
    """The other members of ``staff``'s department: who may decide for them while away."""
    return StaffMember.objects.filter(department_id=staff.department_id).exclude(pk=staff.pk)


def delegations_given(user: User, today: dt.date) -> QuerySet[Delegation]:
    """``user``'s delegations that have not ended."""
    return (Delegation.objects.filter(delegator=user, ends_on__gte=today)
            .select_related("delegate__staff_profile"))


def delegations_received(user: User, today: dt.date) -> QuerySet[Delegation]:
    """The delegations to ``user`` that have not ended."""
    return (Delegation.objects.filter(delegate=user, ends_on__gte=today)
            .select_related("delegator__staff_profile"))


def department_procedures(staff: StaffMember) -> QuerySet[Procedure]:
    """The procedures of ``staff``'s department with their routes, in the catalog's order."""
    return (Procedure.objects.filter(department_id=staff.department_id)
            .order_by("sort_order", "pk").select_related("approval_route"))


