"""Who may open which page: residents' pages and the staff back office."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from django.utils import translation

from madoguchi.applications.models import Application, Status
from madoguchi.conftest import ACCOUNT_HOLDER, FORM_SLUG, client_for
from madoguchi.core.models import AuditEvent, User
from madoguchi.staff.models import StaffMember

RESIDENT_LOGIN = "/account/login/"
STAFF_LOGIN = "/staff/login/"


def login_redirect(login: str, path: str) -> str:
    return f"{login}?next={quote(path, safe='/')}"


@pytest.fixture
def actors(resident, other_resident, staff_user, other_staff_user):
    return {
        "owner": resident,
        "other_resident": other_resident,
        "anonymous": None,
        "staff": staff_user,
        "other_staff": other_staff_user,
    }


# --- resident pages ---------------------------------------------------------------------------
RESIDENT_CASES = [
    # (url template, actor, expected status, expected redirect)
    ("/my/", "owner", 200, None),
    ("/my/", "other_resident", 200, None),
    ("/my/", "anonymous", 302, "login"),
    ("/my/", "staff", 403, None),
    ("/my/applications/{id}/", "owner", 200, None),
    ("/my/applications/{id}/", "other_resident", 404, None),
    ("/my/applications/{id}/", "anonymous", 302, "login"),
    ("/my/applications/{id}/", "staff", 403, None),
    ("/my/applications/{id}/submitted/", "owner", 200, None),
    ("/my/applications/{id}/submitted/", "other_resident", 404, None),
    ("/my/applications/{id}/submitted/", "anonymous", 302, "login"),
    ("/my/applications/{id}/submitted/", "staff", 403, None),
    (f"/apply/{FORM_SLUG}/", "owner", 302, f"/apply/{FORM_SLUG}/applicant/"),
    (f"/apply/{FORM_SLUG}/", "other_resident", 302, f"/apply/{FORM_SLUG}/applicant/"),
    (f"/apply/{FORM_SLUG}/", "anonymous", 302, "login"),
    (f"/apply/{FORM_SLUG}/", "staff", 403, None),
    (f"/apply/{FORM_SLUG}/applicant/", "owner", 200, None),
    (f"/apply/{FORM_SLUG}/applicant/", "other_resident", 200, None),
    (f"/apply/{FORM_SLUG}/applicant/", "anonymous", 302, "login"),
    (f"/apply/{FORM_SLUG}/applicant/", "staff", 403, None),
    (f"/apply/{FORM_SLUG}/consent/", "owner", 200, None),
    (f"/apply/{FORM_SLUG}/consent/", "anonymous", 302, "login"),
    (f"/apply/{FORM_SLUG}/consent/", "staff", 403, None),
    (f"/apply/{FORM_SLUG}/check/", "owner", 302, f"/apply/{FORM_SLUG}/applicant/"),
    (f"/apply/{FORM_SLUG}/check/", "anonymous", 302, "login"),
    (f"/apply/{FORM_SLUG}/check/", "staff", 403, None),
]


@pytest.mark.parametrize(("template", "who", "status", "location"), RESIDENT_CASES)
def test_resident_pages(actors, application, template, who, status, location):
    path = template.format(id=application.public_id)
    response = client_for(actors[who]).get(path)
    assert response.status_code == status, (path, who)
    if status == 302:
        expected = login_redirect(RESIDENT_LOGIN, path) if location == "login" else location
        assert response["Location"] == expected
    if status == 403:  # the friendly page, in Japanese
        with translation.override("ja"):
            assert translation.gettext("You cannot open this page") in response.content.decode()


@pytest.mark.parametrize("who", ["owner", "other_resident", "anonymous", "staff"])
def test_resident_post_to_check_page(actors, application, who):
    """Posting a submit to the check page is only for residents; nothing is stored otherwise."""
    response = client_for(actors[who]).post(f"/apply/{FORM_SLUG}/check/",
                                            {"token": str(application.submission_token)})
    expected = {"owner": 302, "other_resident": 302, "anonymous": 302, "staff": 403}[who]
    assert response.status_code == expected
    if who == "owner":  # the owner's token leads to their own application
        assert response["Location"] == f"/my/applications/{application.public_id}/submitted/"
    if who == "other_resident":  # somebody else's token is not theirs: back to the form
        assert response["Location"] == f"/apply/{FORM_SLUG}/applicant/"
    assert Application.objects.count() == 1


def test_unknown_application_and_form_are_not_found(resident_client):
    assert resident_client.get(f"/my/applications/{uuid.uuid4()}/").status_code == 404
    assert resident_client.get("/apply/no-such-form/").status_code == 404
    assert resident_client.get(f"/apply/{FORM_SLUG}/no-such-page/").status_code == 404


def test_a_form_no_longer_linked_to_its_procedure_is_not_found(resident_client, procedure):
    from madoguchi.forms import services as form_services

    form_services.link_procedure(procedure.form, None)
    assert resident_client.get(f"/apply/{FORM_SLUG}/").status_code == 404
    assert resident_client.get(f"/apply/{FORM_SLUG}/applicant/").status_code == 404


def test_resident_detail_is_audit_logged(resident, application):
    response = client_for(resident).get(f"/my/applications/{application.public_id}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="application.view.resident")
    assert event.actor == resident
    assert event.target_id == str(application.public_id)
    assert event.target_type == "application"


def test_resident_detail_masks_sensitive_answers(resident, application):
    content = client_for(resident).get(f"/my/applications/{application.public_id}/").content
    text = content.decode()
    assert "9876543" not in text
    assert ACCOUNT_HOLDER not in text
    # The account shows its bank and branch by name, and only the end of its number.
    assert "みずほ銀行 東京営業部 普通 ****543" in text
    assert "髙﨑" in text and "𠮷男" in text


def test_other_resident_does_not_see_or_log(other_resident, application):
    client_for(other_resident).get(f"/my/applications/{application.public_id}/")
    assert not AuditEvent.objects.filter(action="application.view.resident").exists()


def test_my_page_lists_only_own_applications(resident, other_resident, make_application):
    mine = make_application()
    theirs = make_application(user=other_resident)
    content = client_for(resident).get("/my/").content.decode()
    assert mine.receipt_number in content
    assert theirs.receipt_number not in content


# --- staff pages ------------------------------------------------------------------------------
STAFF_CASES = [
    ("/staff/", "staff", 200, None),
    ("/staff/", "other_staff", 200, None),
    ("/staff/", "owner", 403, None),
    ("/staff/", "anonymous", 302, "login"),
    ("/staff/applications/{id}/", "staff", 200, None),
    ("/staff/applications/{id}/", "other_staff", 404, None),
    ("/staff/applications/{id}/", "owner", 403, None),
    ("/staff/applications/{id}/", "anonymous", 302, "login"),
]


@pytest.mark.parametrize(("template", "who", "status", "location"), STAFF_CASES)
def test_staff_pages(actors, application, template, who, status, location):
    path = template.format(id=application.public_id)
    response = client_for(actors[who]).get(path)
    assert response.status_code == status, (path, who)
    if location == "login":
        assert response["Location"] == login_redirect(STAFF_LOGIN, path)


@pytest.mark.parametrize(
    ("who", "status", "changed"),
    [("staff", 302, True), ("other_staff", 404, False), ("owner", 403, False),
     ("anonymous", 302, False)],
)
def test_staff_status_post(actors, application, who, status, changed):
    path = f"/staff/applications/{application.public_id}/status/"
    response = client_for(actors[who]).post(path, {"to_status": Status.UNDER_REVIEW})
    assert response.status_code == status
    if who == "staff":
        assert response["Location"] == f"/staff/applications/{application.public_id}/"
    if who == "anonymous":
        assert response["Location"] == login_redirect(STAFF_LOGIN, path)
    application.refresh_from_db()
    assert (application.status == Status.UNDER_REVIEW) is changed
    assert application.events.count() == (2 if changed else 1)


def test_status_endpoint_refuses_get(staff_user, application):
    response = client_for(staff_user).get(f"/staff/applications/{application.public_id}/status/")
    assert response.status_code == 405


def test_staff_account_without_department_is_refused(demo, application):
    user = User.objects.create_user(email="nodept@city.midorigaoka.example",
                                    password="x" * 12, kind=User.Kind.STAFF)
    assert client_for(user).get("/staff/").status_code == 403
    assert client_for(user).get(f"/staff/applications/{application.public_id}/").status_code == 403


def test_staff_inbox_lists_only_own_department(
    staff_user, other_staff_user, resident, make_application, procedure
):
    from madoguchi.staff.models import Department

    ours = make_application()
    # An application of another department (moved there directly, as the data would be).
    theirs = make_application()
    Application.objects.filter(pk=theirs.pk).update(
        department=Department.objects.get(code="shimin"))
    content = client_for(staff_user).get("/staff/").content.decode()
    assert ours.receipt_number in content
    assert theirs.receipt_number not in content
    other = client_for(other_staff_user).get("/staff/").content.decode()
    assert theirs.receipt_number in other
    assert ours.receipt_number not in other


def test_staff_inbox_filters_and_survives_bad_parameters(staff_user, make_application):
    a = make_application()
    client = client_for(staff_user)
    assert a.receipt_number in client.get("/staff/?status=received").content.decode()
    assert a.receipt_number not in client.get("/staff/?status=approved").content.decode()
    for query in ("?status=nonsense", "?page=abc", "?page=-1", "?page=99999", "?status=%00"):
        assert client.get("/staff/" + query).status_code == 200


def test_staff_case_view_is_audit_logged_and_shows_sensitive_answers(staff_user, application):
    response = client_for(staff_user).get(f"/staff/applications/{application.public_id}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="application.view.staff")
    assert event.actor == staff_user
    assert event.target_id == str(application.public_id)
    text = response.content.decode()
    assert "9876543" in text  # the department needs the account to pay the subsidy
    assert ACCOUNT_HOLDER in text


def test_other_department_view_is_not_logged_as_a_view(other_staff_user, application):
    client_for(other_staff_user).get(f"/staff/applications/{application.public_id}/")
    assert not AuditEvent.objects.filter(action="application.view.staff").exists()


def test_staff_status_flow_through_the_page(staff_user, application):
    client = client_for(staff_user)
    url = f"/staff/applications/{application.public_id}/status/"
    response = client.post(url, {"to_status": Status.APPROVED}, follow=True)
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1
    response = client.post(url, {"to_status": Status.UNDER_REVIEW}, follow=True)
    assert len(list(response.context["messages"])) == 1
    response = client.post(url, {"to_status": Status.REJECTED, "reason": "  "}, follow=True)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    client.post(url, {"to_status": Status.REJECTED, "reason": "書類が不足しています。"})
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.status_reason == "書類が不足しています。"
    assert AuditEvent.objects.filter(action="application.status").count() == 2


def test_staff_members_are_set_up_per_department(demo):
    assert StaffMember.objects.filter(department__code="kosodate").exists()


@pytest.mark.parametrize("reason", ["\x00", "確認\x00します", "\x00\x00 理由"])
def test_status_change_with_nul_in_the_reason(staff_user, application, reason):
    """A NUL byte cannot be stored in PostgreSQL text; it must not become a server error."""
    client = client_for(staff_user)
    url = f"/staff/applications/{application.public_id}/status/"
    response = client.post(url, {"to_status": Status.UNDER_REVIEW, "reason": reason})
    assert response.status_code == 302
    response = client.post(url, {"to_status": Status.REJECTED, "reason": reason})
    assert response.status_code == 302
    application.refresh_from_db()
    for event in application.events.all():
        assert "\x00" not in event.reason
    assert "\x00" not in application.status_reason
