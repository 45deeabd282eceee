"""Staff sign-in (separate from residents'), the staff_required rule and departments."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import translation

from madoguchi.core.models import AuditEvent, User
from madoguchi.core.signin import TOO_MANY, WRONG
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL
from madoguchi.staff import services
from madoguchi.staff.models import Department, StaffMember
from madoguchi.staff.permissions import staff_required
from madoguchi.staff.tests.helpers import ensure_authenticator, next_code, staff_login


def ja(message) -> str:
    with translation.override("ja"):
        return str(message)


def test_staff_signs_in_and_lands_in_the_inbox(client, staff_user):
    ensure_authenticator(staff_user)
    response = client.post("/staff/login/", {"email": staff_user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/code/"
    assert client.session["_auth_user_id"] == str(staff_user.pk)
    response = client.post("/staff/login/code/", {"code": next_code(staff_user)})
    assert response["Location"] == "/staff/"
    inbox = client.get("/staff/")
    assert inbox.status_code == 200
    assert inbox["Cache-Control"] == "no-store"


def test_staff_next_is_kept_inside_the_site(staff_user):
    ensure_authenticator(staff_user)
    client = Client()
    response = client.post("/staff/login/?next=/staff/?status=received",
                           {"email": staff_user.email, "password": DEMO_PASSWORD})
    assert response["Location"] == "/staff/login/code/?next=%2Fstaff%2F%3Fstatus%3Dreceived"
    response = client.post(response["Location"], {"code": next_code(staff_user)})
    assert response["Location"] == "/staff/?status=received"
    client = Client()
    response = client.post("/staff/login/", {"email": staff_user.email, "password": DEMO_PASSWORD,
                                             "next": "https://evil.example/staff/"})
    assert response["Location"] == "/staff/login/code/"
    response = client.post("/staff/login/code/", {"code": next_code(staff_user),
                                                  "next": "https://evil.example/staff/"})
    assert response["Location"] == "/staff/"


def test_resident_cannot_sign_in_on_the_staff_page(client, resident):
    response = client.post("/staff/login/", {"email": DEMO_RESIDENT_EMAIL,
                                             "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert ja(WRONG) in response.content.decode()


def test_staff_throttling(client, staff_user):
    for _ in range(5):
        assert client.post("/staff/login/", {"email": staff_user.email,
                                             "password": "wrong"}).status_code == 200
    response = client.post("/staff/login/", {"email": staff_user.email,
                                              "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert ja(TOO_MANY) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_logout(staff_user):
    client = staff_login(Client(), staff_user)
    assert client.get("/staff/logout/").status_code == 405
    response = client.post("/staff/logout/")
    assert response["Location"] == "/staff/login/"
    assert client.get("/staff/")["Location"].startswith("/staff/login/")


def test_staff_required_decorator(demo, staff_user, resident):
    @staff_required
    def view(request):
        return HttpResponse("ok")

    def request_as(user, flag=None):
        request = RequestFactory().get("/staff/x/")
        request.user = user
        request.session = SessionStore()
        if flag is not None:
            request.session[services.SESSION_KEY] = flag
        return request

    assert view(request_as(AnonymousUser()))["Location"] == "/staff/login/?next=/staff/x/"
    # The password step alone is not enough: on to the code page, coming back afterwards.
    assert view(request_as(staff_user))["Location"] == "/staff/login/code/?next=%2Fstaff%2Fx%2F"
    totp = ensure_authenticator(staff_user)
    flag = {"user": staff_user.pk, "totp": totp.pk, "at": int(time.time())}
    assert view(request_as(staff_user, flag)).content == b"ok"
    with pytest.raises(PermissionDenied):
        view(request_as(resident))


def test_staff_inbox_view_is_audit_logged(staff_user):
    client = staff_login(Client(), staff_user)
    client.get("/staff/")
    assert AuditEvent.objects.filter(actor=staff_user).exclude(action="signin").exists()


def test_demo_staff_cover_every_department(demo):
    for department in Department.objects.all():
        assert StaffMember.objects.filter(department=department).exists(), department.code
        assert department.name["ja"] and department.name["en"]
    assert all(u.kind == User.Kind.STAFF for u in User.objects.filter(staff_profile__isnull=False))
    # Names are kept as typed, with their 異体字.
    assert StaffMember.objects.filter(family_name="髙橋").exists()
    assert StaffMember.objects.filter(family_name="山﨑").exists()


def test_department_str_follows_the_language(demo):
    department = Department.objects.get(code="kosodate")
    with translation.override("ja"):
        assert str(department) == "子育て支援課"
    with translation.override("en"):
        assert str(department) == "Child and Family Support Department"
