"""差戻し and resubmission, 電子決裁 along an approval route, delegation, the status machine."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.utils import timezone

from madoguchi.applications import services
from madoguchi.applications.models import Application, Status, Workflow
from madoguchi.approvals import services as approvals
from madoguchi.approvals.models import ApprovalRequest, Decision
from madoguchi.conftest import ACCOUNT_NUMBER, client_for
from madoguchi.core.models import MailboxMessage, User
from madoguchi.demo.city import staff_email
from madoguchi.forms.models import FormVersion
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


# --- 差戻し -------------------------------------------------------------------------------------
def test_a_correction_round_trip(reviewed, staff_user, resident_client,
                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        correction = services.request_correction(
            application=reviewed, fields=["phone", "monthly_pass_cost"],
            message="電話番号と定期代をご確認ください。", actor=staff_user)
    reviewed.refresh_from_db()
    assert reviewed.status == Status.RETURNED
    assert "定期代をご確認ください" in MailboxMessage.objects.latest("pk").body
    page = resident_client.get(f"/my/applications/{reviewed.public_id}/correct/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="phone"' in html and 'name="monthly_pass_cost"' in html
    assert 'name="school_name"' not in html  # only the fields asked about
    response = resident_client.post(f"/my/applications/{reviewed.public_id}/correct/",
                                    {"phone": "03-1234-5678", "monthly_pass_cost": "16000",
                                     "school_name": "書き換え高校"})
    assert response.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.status == Status.UNDER_REVIEW
    answers = services.all_answers(reviewed)
    assert answers["phone"] == "0312345678" and answers["monthly_pass_cost"] == 16000
    assert answers["school_name"] != "書き換え高校"
    # Sensitive answers are kept, still sealed.
    assert answers["payment_account"]["number"] == ACCOUNT_NUMBER
    correction.refresh_from_db()
    assert correction.resubmitted_at is not None
    assert [c["key"] for c in correction.changes] == ["phone", "monthly_pass_cost"]
    # A second round is kept beside the first.
    services.request_correction(application=reviewed, fields=["phone"], message="再度",
                                actor=staff_user)
    assert list(reviewed.corrections.values_list("round", flat=True)) == [1, 2]


def test_a_correction_with_an_invalid_answer_is_shown_again(reviewed, staff_user,
                                                             resident_client):
    services.request_correction(application=reviewed, fields=["phone"], message="確認",
                                actor=staff_user)
    response = resident_client.post(f"/my/applications/{reviewed.public_id}/correct/",
                                    {"phone": "電話"})
    assert response.status_code == 422
    reviewed.refresh_from_db()
    assert reviewed.status == Status.RETURNED


def test_a_correction_needs_fields_and_a_reason(reviewed, staff_user):
    for fields, message in (([], "理由"), (["phone"], " "), (["nope"], "理由")):
        with pytest.raises(services.TransitionRefused):
            services.request_correction(application=reviewed, fields=fields, message=message,
                                        actor=staff_user)
    reviewed.refresh_from_db()
    assert reviewed.status == Status.UNDER_REVIEW


def _with_route_only_for_a_bus(application: Application) -> None:
    """Publish a new version of the form where the route is asked (and required, at most five
    characters) only for a bus, and move the application to it. A published version never
    changes, so the change is a new version, as publishing a form makes one."""
    old = application.form_version
    definition = copy.deepcopy(old.definition)
    bus = {"==": [{"var": "transport"}, "bus"]}
    for page in definition["pages"]:
        for field in page.get("fields", []):
            if field["key"] == "route":
                field.update(show_if=bus, require_if=bus, max_length=5)
    version = FormVersion.objects.create(form=old.form, number=old.number + 1,
                                         definition=definition, published_at=timezone.now())
    Application.objects.filter(pk=application.pk).update(form_version=version)
    application.refresh_from_db()


def test_a_correction_checks_the_answers_as_the_form_pages_do(reviewed, staff_user,
                                                              resident_client):
    """The correction page applies the form's conditions like the wizard's pages: an answer
    required by the corrected choice is asked for, one it hides is neither checked nor kept."""
    _with_route_only_for_a_bus(reviewed)
    services.request_correction(application=reviewed, fields=["transport", "route"],
                                message="通学方法をご確認ください。", actor=staff_user)
    url = f"/my/applications/{reviewed.public_id}/correct/"
    missing = resident_client.post(url, {"transport": "bus", "route": ""})
    assert missing.status_code == 422
    assert "通学経路を入力してください。" in missing.content.decode()
    assert resident_client.post(url, {"transport": "bus",
                                      "route": "とても長い経路の説明です"}).status_code == 422
    hidden = resident_client.post(url, {"transport": "train", "route": "とても長い経路の説明です"})
    assert hidden.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.status == Status.UNDER_REVIEW
    answers = services.all_answers(reviewed)
    assert answers["transport"] == "train" and "route" not in answers


def test_only_the_owner_corrects(reviewed, staff_user, other_resident):
    services.request_correction(application=reviewed, fields=["phone"], message="確認",
                                actor=staff_user)
    other = client_for(other_resident)
    assert other.get(f"/my/applications/{reviewed.public_id}/correct/").status_code == 404
    assert other.post(f"/my/applications/{reviewed.public_id}/correct/",
                      {"phone": "0312345678"}).status_code == 404


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


# --- the status machine ---------------------------------------------------------------------------
def test_a_procedure_can_have_its_own_status_machine(application, staff_user, procedure):
    Workflow.objects.create(procedure=procedure, transitions={
        "received": ["under_review"], "under_review": ["approved"], "approved": ["issued"]})
    services.change_status(application=application, to_status=Status.UNDER_REVIEW,
                           actor=staff_user)
    with pytest.raises(services.TransitionRefused):
        services.change_status(application=application, to_status=Status.REJECTED,
                               actor=staff_user, reason="理由")
    assert services.manual_transitions(application) == [Status.APPROVED]


def test_steps_cannot_be_taken_with_the_status_buttons(reviewed, staff_user):
    client = client_for(staff_user)
    for target in ("returned", "in_approval", "issued"):
        client.post(f"/staff/applications/{reviewed.public_id}/status/",
                    {"to_status": target, "reason": "理由"})
    reviewed.refresh_from_db()
    assert reviewed.status == Status.UNDER_REVIEW


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
