"""Writes for electronic approval: a procedure's route (with its status machine), start a request
(起案), decide a step, delegate while away."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from madoguchi.applications.models import Application, Status
from madoguchi.applications.services import TransitionRefused, change_status, set_workflow
from madoguchi.catalog.models import Procedure
from madoguchi.core import audit
from madoguchi.core.models import User
from madoguchi.staff.models import StaffMember

from .models import ApprovalRequest, ApprovalRoute, Decision, Delegation
from .selectors import acting_for


class ApprovalRefused(Exception):
    """The approval step cannot be taken (not this person's step, already decided, …)."""


def set_route(procedure_id: int, steps: list[dict]) -> ApprovalRoute:
    """Replace a procedure's route; requests under way keep the steps they started with."""
    route, _created = ApprovalRoute.objects.update_or_create(
        procedure_id=procedure_id, defaults={"steps": steps, "updated_at": timezone.now()}
    )
    return route


def save_workflow(*, request: HttpRequest, procedure: Procedure,
                  transitions: dict[str, list[str]], steps: list[dict]) -> None:
    """Save a procedure's status machine and its approval route (none when ``steps`` is empty)
    with their audit event, in one transaction: all of it or nothing.

    Raises ApprovalRefused when there is a route but "under review" cannot lead into approval.
    """
    if steps and Status.IN_APPROVAL not in transitions.get(Status.UNDER_REVIEW, ()):
        raise ApprovalRefused("a route needs under_review → in_approval")
    with transaction.atomic():
        set_workflow(procedure_id=procedure.pk, transitions=transitions, actor=request.user)
        if steps:
            set_route(procedure.pk, steps)
        else:
            ApprovalRoute.objects.filter(procedure_id=procedure.pk).delete()
        audit.record(request, "procedure.workflow", target_type="procedure",
                     target_id=procedure.slug, details={"steps": len(steps)})


def start(*, application: Application, proposal: str, summary: str, actor: User) -> ApprovalRequest:
    """起案: the clerk proposes to approve or reject; the case waits for the route's steps."""
    summary = summary.replace("\x00", "").strip()
    if proposal not in ApprovalRequest.Proposal.values:
        raise ApprovalRefused("unknown proposal")
    if not summary:
        raise ApprovalRefused("write what you propose and why")
    route = ApprovalRoute.objects.filter(procedure_id=application.procedure_id).first()
    if route is None or not route.steps:
        raise ApprovalRefused("this procedure has no approval route")
    try:
        with transaction.atomic():
            change_status(application=application, to_status=Status.IN_APPROVAL, actor=actor,
                          step="approval")
            return ApprovalRequest.objects.create(
                application=application, proposal=proposal, summary=summary,
                steps=list(route.steps), drafted_by=actor,
            )
    except (TransitionRefused, IntegrityError) as exc:
        raise ApprovalRefused(str(exc)) from exc


def decide(*, request: ApprovalRequest, kind: str, comment: str, actor: User) -> Decision:
    """Take the current step's decision. Approve moves to the next step (the last one decides
    the case as proposed); return sends the case back to review; reject rejects the case."""
    comment = comment.replace("\x00", "").strip()
    if kind not in Decision.Kind.values:
        raise ApprovalRefused("unknown decision")
    if kind in (Decision.Kind.RETURN, Decision.Kind.REJECT) and not comment:
        raise ApprovalRefused("a comment is required")
    with transaction.atomic():
        locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        step = locked.step
        if step is None:
            raise ApprovalRefused("this request is already decided")
        if actor.pk == locked.drafted_by_id:
            raise ApprovalRefused("the drafter does not approve their own request")
        staff = StaffMember.objects.filter(user=actor).first()
        if staff is None or staff.department_id != locked.application.department_id:
            raise ApprovalRefused("not a member of the department")
        on_behalf_of = acting_for(staff, step["role"], timezone.localdate())
        if on_behalf_of is False:
            raise ApprovalRefused("this step is for another role")
        decision = Decision.objects.create(
            request=locked, step=locked.current_step, kind=kind, comment=comment,
            decided_by=actor, on_behalf_of=on_behalf_of,
        )
        application = locked.application
        if kind == Decision.Kind.APPROVE and locked.current_step + 1 < len(locked.steps):
            locked.current_step += 1
            locked.save(update_fields=["current_step"])
            return decision
        if kind == Decision.Kind.APPROVE:
            final = (Status.APPROVED if locked.proposal == ApprovalRequest.Proposal.APPROVE
                     else Status.REJECTED)
            locked.state = (ApprovalRequest.State.APPROVED if final == Status.APPROVED
                            else ApprovalRequest.State.REJECTED)
            reason = locked.summary if final == Status.REJECTED else ""
        elif kind == Decision.Kind.REJECT:
            final, locked.state, reason = Status.REJECTED, ApprovalRequest.State.REJECTED, comment
        else:
            final, locked.state, reason = (Status.UNDER_REVIEW, ApprovalRequest.State.RETURNED,
                                           "")
        locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "closed_at"])
        change_status(application=application, to_status=final, actor=actor, reason=reason,
                      step="approval")
        return decision


def delegate(*, delegator: StaffMember, delegate_to: StaffMember, starts_on: dt.date,
             ends_on: dt.date, request: HttpRequest | None = None) -> Delegation:
    """While ``delegator`` is away, ``delegate_to`` (same department) decides their steps.

    With ``request``, its audit event is written in the same transaction."""
    if delegate_to.department_id != delegator.department_id or delegate_to.pk == delegator.pk:
        raise ApprovalRefused("delegate to another member of your department")
    if ends_on < starts_on:
        raise ApprovalRefused("the end is before the start")
    with transaction.atomic():
        delegation = Delegation.objects.create(delegator=delegator.user,
                                               delegate=delegate_to.user,
                                               starts_on=starts_on, ends_on=ends_on)
        if request is not None:
            audit.record(request, "approval.delegate", target_type="user",
                         target_id=str(delegate_to.user_id),
                         details={"from": starts_on.isoformat(), "to": ends_on.isoformat()})
    return delegation


def delete_for_application(application: Application) -> int:
    """Delete the approval requests of a case and their decisions, at the end of its 保存年限
    (the retention app calls this before it deletes the case). Returns how many requests."""
    requests = ApprovalRequest.objects.filter(application=application)
    Decision.objects.filter(request__in=requests).delete()
    deleted, _by_model = requests.delete()
    return deleted
