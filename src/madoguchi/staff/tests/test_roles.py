"""Roles: the DX office sees statistics only; administrators reset authenticators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from madoguchi.applications.models import Application
from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email
from madoguchi.staff import services
from madoguchi.staff.models import Department, StaffMember, StaffTOTP
from madoguchi.staff.permissions import case_handler_required, role_required
from madoguchi.staff.tests.helpers import ensure_authenticator, next_code, staff_login

Role = StaffMember.Role


@pytest.fixture
def make_staff(demo):
    def make(role: str, department: str = "kosodate", name: str = "") -> User:
        email = f"{name or role}-{department}@city.midorigaoka.example"
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD,
                                        kind=User.Kind.STAFF)
        StaffMember.objects.create(user=user, department=Department.objects.get(code=department),
                                   role=role, family_name="試験", given_name=role)
        return user

    return make


@pytest.fixture
def dx_user(make_staff) -> User:
    return make_staff(Role.DX, "shimin")


@pytest.fixture
def admin_user(demo) -> User:
    """The demo administrator of 市民課."""
    return User.objects.get(email=staff_email("shimin-admin"))


# --- decorators --------------------------------------------------------------------------------
def _request_for(user: User):
    request = RequestFactory().get("/staff/x/")
    request.user = user
    request._staff_2fa_verified = True  # both steps done (tested in test_two_factor)
    return request


def test_role_required_allows_only_the_roles(make_staff):
    @role_required(Role.ADMIN, Role.HEAD)
    def view(request):
        return HttpResponse("ok")

    assert view(_request_for(make_staff(Role.ADMIN))).content == b"ok"
    assert view(_request_for(make_staff(Role.HEAD))).content == b"ok"
    for role in (Role.CLERK, Role.APPROVER, Role.DX):
        with pytest.raises(PermissionDenied):
            view(_request_for(make_staff(role)))


def test_role_required_still_needs_both_steps(make_staff):
    @role_required(Role.ADMIN)
    def view(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/staff/x/")
    request.user = make_staff(Role.ADMIN)
    request.session = {}
    assert view(request)["Location"].startswith("/staff/login/code/")


def test_case_handler_required_refuses_the_dx_office(make_staff):
    @case_handler_required
    def view(request):
        return HttpResponse("ok")

    for role in (Role.CLERK, Role.APPROVER, Role.HEAD, Role.ADMIN):
        assert view(_request_for(make_staff(role))).content == b"ok"
    with pytest.raises(PermissionDenied):
        view(_request_for(make_staff(Role.DX)))


# --- the DX office -----------------------------------------------------------------------------
def test_dx_office_cannot_open_cases(dx_user, application):
    client = client_for(dx_user)
    for path in ("/staff/", f"/staff/applications/{application.public_id}/"):
        assert client.get(path).status_code == 403, path
    response = client.post(f"/staff/applications/{application.public_id}/status/",
                           {"to_status": "under_review"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="application.view.staff").exists()


def test_dx_office_lands_on_the_statistics(dx_user):
    ensure_authenticator(dx_user)
    client = Client()
    client.post("/staff/login/", {"email": dx_user.email, "password": DEMO_PASSWORD})
    response = client.post("/staff/login/code/", {"code": next_code(dx_user)})
    assert response["Location"] == "/staff/stats/"
    page = client.get("/staff/stats/").content.decode()
    assert 'href="/staff/stats/"' in page
    assert 'href="/staff/forms/"' not in page and 'href="/staff/"' not in page


@pytest.mark.parametrize(("role", "status"), [
    (Role.DX, 200), (Role.HEAD, 200), (Role.ADMIN, 200), (Role.CLERK, 403), (Role.APPROVER, 403),
])
def test_who_sees_the_statistics(make_staff, role, status):
    assert client_for(make_staff(role)).get("/staff/stats/").status_code == status


def test_statistics_count_the_whole_city_without_personal_data(dx_user, make_application):
    first = make_application()
    second = make_application()
    make_application()
    Application.objects.filter(pk=first.pk).update(status="under_review")
    # One of another department, one of last month.
    Application.objects.filter(pk=second.pk).update(
        submitted_at=timezone.now().replace(day=1) - dt.timedelta(days=2))
    response = client_for(dx_user).get("/staff/stats/")
    html = response.content.decode()
    assert response.status_code == 200
    for application in Application.objects.all():
        assert application.receipt_number not in html
        assert application.applicant_name not in html
    months = response.context["months"]
    assert len(months) == 2
    this_month, last_month = months
    assert this_month.total == 2 and last_month.total == 1
    assert this_month.totals == {"received": 1, "under_review": 1}
    row = this_month.rows[0]
    assert row.procedure.slug == "tsugaku-hojo" and row.total == 2
    assert sum(row.cells) == 2


def test_statistics_without_applications(dx_user):
    response = client_for(dx_user).get("/staff/stats/")
    assert response.status_code == 200
    assert response.context["months"] == []


# --- authenticator resets ----------------------------------------------------------------------
def test_reset_page_is_for_administrators_only(staff_user, dx_user, make_staff):
    for user in (staff_user, dx_user, make_staff(Role.HEAD)):
        assert client_for(user).get("/staff/admin/two-factor/").status_code == 403


def test_administrator_sees_own_department_only(admin_user):
    ensure_authenticator(User.objects.get(email=staff_email("shimin1")))
    response = client_for(admin_user).get("/staff/admin/two-factor/")
    html = response.content.decode()
    assert response.status_code == 200
    assert staff_email("shimin1") in html and staff_email("shimin2") in html
    assert staff_email("kosodate1") not in html


def test_administrator_resets_an_authenticator(admin_user):
    clerk = User.objects.get(email=staff_email("shimin1"))
    member = clerk.staff_profile
    clerk_client = staff_login(Client(), clerk)
    assert clerk_client.get("/staff/forms/").status_code == 200
    admin = client_for(admin_user)
    url = f"/staff/admin/two-factor/{member.pk}/reset/"
    confirm = admin.get(url)
    assert confirm.status_code == 200
    assert str(member) in confirm.content.decode()  # asks once, naming the person
    assert StaffTOTP.objects.filter(user=clerk).exists()  # a GET changes nothing
    response = admin.post(url)
    assert response["Location"] == "/staff/admin/two-factor/"
    assert not StaffTOTP.objects.filter(user=clerk).exists()
    event = AuditEvent.objects.get(action="staff.totp.reset")
    assert event.actor == admin_user and event.target_id == str(clerk.pk)
    # The clerk's open session no longer counts as signed in with both steps.
    response = clerk_client.get("/staff/stats/")
    assert response["Location"].startswith("/staff/login/code/")
    assert clerk_client.get("/staff/login/code/")["Location"] == "/staff/login/setup/"


def test_administrator_cannot_reset_other_departments_or_self(admin_user, staff_user):
    admin = client_for(admin_user)
    other = staff_user.staff_profile
    ensure_authenticator(staff_user)
    assert admin.post(f"/staff/admin/two-factor/{other.pk}/reset/").status_code == 404
    assert StaffTOTP.objects.filter(user=staff_user).exists()
    me = admin_user.staff_profile
    response = admin.post(f"/staff/admin/two-factor/{me.pk}/reset/")
    assert response["Location"] == "/staff/admin/two-factor/"
    assert StaffTOTP.objects.filter(user=admin_user).exists()
    assert not AuditEvent.objects.filter(action="staff.totp.reset").exists()


def test_home_url_by_role(make_staff):
    assert services.home_url(make_staff(Role.DX).staff_profile) == "/staff/stats/"
    assert services.home_url(make_staff(Role.CLERK).staff_profile) == "/staff/"
