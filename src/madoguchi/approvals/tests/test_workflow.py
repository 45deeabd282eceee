"""Staff steps on a case (差戻し from the case page, 電子決裁 along an approval route), delegation,
and each procedure's status machine and route."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from madoguchi.applications import services
from madoguchi.applications.models import Application, Status, Workflow
from madoguchi.approvals import services as approvals
from madoguchi.approvals.models import ApprovalRequest, ApprovalRoute, Decision
from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import staff_email
from madoguchi.staff.models import StaffMember

ROUTE = [{"role": "approver", "label": {"ja": "係長", "en": "Section chief"}},
         {"role": "head", "label": {"ja": "課長", "en": "Head"}}]


def staff(name: str) -> User:
    return User.objects.get(email=staff_email(name))


@pytest.fixture
def reviewed(application, staff_user) -> Application:
    services.change_status(application=application, to_status=Status.UNDER_REVIEW,
                           actor=staff_user)
    return application


@pytest.fixture
def route(procedure):
    return approvals.set_route(procedure.pk, ROUTE)


def test_staff_ask_for_a_correction_from_the_case_page(reviewed, staff_user):
    client = client_for(staff_user)
    response = client.post(f"/staff/applications/{reviewed.public_id}/correction/",
                           {"fields": ["phone"], "message": "番号をご確認ください。"})
    assert response.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.status == Status.RETURNED


# --- 電子決裁 ------------------------------------------------------------------------------------
def test_a_two_step_route_approves_the_case(reviewed, route, staff_user):
    request = approvals.start(application=reviewed, proposal="approve", summary="要件を満たす",
                              actor=staff_user)
    reviewed.refresh_from_db()
    assert reviewed.status == Status.IN_APPROVAL
    with pytest.raises(approvals.ApprovalRefused):  # 課長's step is not yet
        approvals.decide(request=request, kind="approve", comment="", actor=staff("kosodate3"))
    approvals.decide(request=request, kind="approve", comment="", actor=staff("kosodate2"))
    approvals.decide(request=request, kind="approve", comment="", actor=staff("kosodate3"))
    reviewed.refresh_from_db()
    request.refresh_from_db()
    assert reviewed.status == Status.APPROVED
    assert request.state == ApprovalRequest.State.APPROVED
    assert [d.kind for d in request.decisions.all()] == ["approve", "approve"]


def test_returning_sends_the_case_back_and_a_new_request_supersedes(reviewed, route, staff_user):
    first = approvals.start(application=reviewed, proposal="approve", summary="案",
                            actor=staff_user)
    with pytest.raises(approvals.ApprovalRefused):
        approvals.decide(request=first, kind="return", comment="", actor=staff("kosodate2"))
    approvals.decide(request=first, kind="return", comment="添付を確認", actor=staff("kosodate2"))
    reviewed.refresh_from_db()
    assert reviewed.status == Status.UNDER_REVIEW
    second = approvals.start(application=reviewed, proposal="reject", summary="対象外の地区",
                             actor=staff_user)
    approvals.decide(request=second, kind="approve", comment="", actor=staff("kosodate2"))
    approvals.decide(request=second, kind="approve", comment="", actor=staff("kosodate3"))
    reviewed.refresh_from_db()
    assert reviewed.status == Status.REJECTED
    assert reviewed.status_reason == "対象外の地区"
    first.refresh_from_db()
    assert first.state == ApprovalRequest.State.RETURNED


def test_decisions_are_never_edited(reviewed, route, staff_user):
    request = approvals.start(application=reviewed, proposal="approve", summary="案",
                              actor=staff_user)
    decision = approvals.decide(request=request, kind="approve", comment="",
                                actor=staff("kosodate2"))
    decision.comment = "後から書き換え"
    with pytest.raises(ValueError):
        decision.save()


def test_with_a_route_the_case_is_decided_only_through_it(reviewed, route, staff_user):
    with pytest.raises(services.TransitionRefused):
        services.change_status(application=reviewed, to_status=Status.APPROVED,
                               actor=staff_user)
    assert services.manual_transitions(reviewed) == []


def test_the_drafter_and_other_departments_cannot_decide(reviewed, route):
    head = staff("kosodate3")
    request = approvals.start(application=reviewed, proposal="approve", summary="案", actor=head)
    with pytest.raises(approvals.ApprovalRefused):
        approvals.decide(request=request, kind="approve", comment="", actor=head)
    with pytest.raises(approvals.ApprovalRefused):
        approvals.decide(request=request, kind="approve", comment="", actor=staff("shimin2"))


def test_a_delegate_decides_on_behalf_of_the_head_while_away(reviewed, route, staff_user):
    head = StaffMember.objects.get(user=staff("kosodate3"))
    deputy = StaffMember.objects.get(user=staff("kosodate2"))
    today = timezone.localdate()
    approvals.delegate(delegator=head, delegate_to=deputy, starts_on=today,
                       ends_on=today + dt.timedelta(days=3))
    request = approvals.start(application=reviewed, proposal="approve", summary="案",
                              actor=staff_user)
    approvals.decide(request=request, kind="approve", comment="", actor=deputy.user)
    final = approvals.decide(request=request, kind="approve", comment="代理で決裁",
                             actor=deputy.user)
    assert final.on_behalf_of == head.user
    reviewed.refresh_from_db()
    assert reviewed.status == Status.APPROVED


def test_the_case_page_shows_the_route_and_the_decision_form(reviewed, route, staff_user):
    client = client_for(staff_user)
    client.post(f"/staff/applications/{reviewed.public_id}/approval/",
                {"proposal": "approve", "summary": "要件を満たす"})
    reviewed.refresh_from_db()
    assert reviewed.status == Status.IN_APPROVAL
    approver = client_for(staff("kosodate2"))
    html = approver.get(f"/staff/applications/{reviewed.public_id}/").content.decode()
    assert 'name="kind" value="approve"' in html
    response = approver.post(f"/staff/applications/{reviewed.public_id}/approval/decide/",
                             {"kind": "approve"})
    assert response.status_code == 302
    assert Decision.objects.filter(request__application=reviewed).count() == 1


def test_an_administrator_sets_the_status_machine_and_the_route(demo, procedure):
    user = User.objects.create_user(email="kanri@city.midorigaoka.example",
                                    password="kanri-password-2026", kind=User.Kind.STAFF)
    admin = StaffMember.objects.create(user=user, department=procedure.department, role="admin",
                                       family_name="管理", given_name="花子")
    url = f"/staff/procedures/{procedure.slug}/workflow/"
    assert client_for(staff("kosodate1")).get(url).status_code == 403
    client = client_for(admin.user)
    assert client.get(url).status_code == 200
    post = {f"t-{s}-{t}": "on" for s, targets in {
        "received": ["under_review"], "under_review": ["returned", "in_approval"],
        "returned": ["under_review"], "in_approval": ["approved", "rejected", "under_review"],
        "approved": ["issued"]}.items() for t in targets}
    post.update({"step-0-role": "approver", "step-0-label": "係長", "step-1-role": "head",
                 "step-1-label": "課長"})
    assert client.post(url, post).status_code == 302
    workflow = Workflow.objects.get(procedure=procedure)
    assert workflow.transitions["under_review"] == ["returned", "in_approval"]
    assert [s["role"] for s in procedure.approval_route.steps] == ["approver", "head"]
    other = StaffMember.objects.exclude(department=procedure.department).first()
    other.role = "admin"
    other.save()
    assert client_for(other.user).get(url).status_code == 404


def test_a_head_delegates_from_the_delegation_page(demo):
    from madoguchi.approvals.models import Delegation

    head = staff("kosodate3")
    deputy = StaffMember.objects.get(user=staff("kosodate2"))
    client = client_for(head)
    assert client.get("/staff/delegations/").status_code == 200
    bad = client.post("/staff/delegations/", {"delegate": "x\x00", "starts_on": "昨日"})
    assert bad.status_code == 422
    ok = client.post("/staff/delegations/", {"delegate": str(deputy.pk),
                                             "starts_on": "令和8年12月1日",
                                             "ends_on": "2026-12-05"})
    assert ok.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate) == (head, deputy.user)
    assert delegation.starts_on == dt.date(2026, 12, 1)


def _admin(procedure) -> User:
    user = User.objects.create_user(email="kanri@city.midorigaoka.example",
                                    password="kanri-password-2026", kind=User.Kind.STAFF)
    StaffMember.objects.create(user=user, department=procedure.department, role="admin",
                               family_name="管理", given_name="花子")
    return user


def test_saving_the_workflow_is_all_or_nothing(demo, procedure, monkeypatch):
    """The status machine, the approval route and the audit event are saved together: when the
    route cannot be written, the status machine keeps its previous version."""
    user = _admin(procedure)
    before = {"received": ["under_review"], "under_review": ["in_approval"],
              "in_approval": ["approved"]}
    Workflow.objects.create(procedure=procedure, transitions=before)

    def broken_route(*args, **kwargs):
        raise RuntimeError("the route table is unavailable")

    monkeypatch.setattr(approvals, "set_route", broken_route)
    post = {"t-received-under_review": "on", "t-under_review-in_approval": "on",
            "t-under_review-returned": "on", "step-0-role": "head"}
    with pytest.raises(RuntimeError):
        client_for(user).post(f"/staff/procedures/{procedure.slug}/workflow/", post)
    assert Workflow.objects.get(procedure=procedure).transitions == before
    assert not ApprovalRoute.objects.filter(procedure=procedure).exists()
    assert not AuditEvent.objects.filter(action="procedure.workflow").exists()


def test_a_route_needs_review_to_lead_into_approval(demo, procedure):
    user = _admin(procedure)
    post = {"t-received-under_review": "on", "t-under_review-approved": "on",
            "step-0-role": "head"}
    response = client_for(user).post(f"/staff/procedures/{procedure.slug}/workflow/", post)
    assert response.status_code == 422
    assert not Workflow.objects.filter(procedure=procedure).exists()
    assert not ApprovalRoute.objects.filter(procedure=procedure).exists()


def test_saving_without_steps_removes_the_route(demo, procedure, route):
    user = _admin(procedure)
    post = {"t-received-under_review": "on", "t-under_review-approved": "on"}
    response = client_for(user).post(f"/staff/procedures/{procedure.slug}/workflow/", post)
    assert response.status_code == 302
    assert Workflow.objects.get(procedure=procedure).transitions["under_review"] == ["approved"]
    assert not ApprovalRoute.objects.filter(procedure=procedure).exists()
    assert AuditEvent.objects.get(action="procedure.workflow").details == {"steps": 0}
