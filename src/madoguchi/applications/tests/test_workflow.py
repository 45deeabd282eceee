"""差戻し and resubmission by the resident, and a procedure's own status machine."""

from __future__ import annotations

import copy

import pytest
from django.utils import timezone

from madoguchi.applications import services
from madoguchi.applications.models import Application, Status, Workflow
from madoguchi.conftest import ACCOUNT_NUMBER, client_for
from madoguchi.core.models import MailboxMessage
from madoguchi.forms.models import FormVersion


@pytest.fixture
def reviewed(application, staff_user) -> Application:
    services.change_status(application=application, to_status=Status.UNDER_REVIEW,
                           actor=staff_user)
    return application


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
