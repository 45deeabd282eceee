"""Wrong codes from the city hall's one address must not keep other staff out."""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from madoguchi.core import signin
from madoguchi.core.models import LoginAttempt, User
from madoguchi.staff import services
from madoguchi.staff.tests.helpers import ensure_authenticator

OFFICE = "192.0.2.80"


def code_request(user: User | AnonymousUser):
    request = RequestFactory().post("/staff/login/code/", REMOTE_ADDR=OFFICE)
    request.user = user
    return request


def test_wrong_codes_of_many_staff_do_not_refuse_a_colleagues_right_code(
        staff_user, settings, monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(signin, "_pause", pauses.append)
    now = time.time()
    step = services.step_at(now)
    for n in range(8):
        colleague = User.objects.create_user(email=f"staff{n}@city.midorigaoka.example",
                                             password="x", kind=User.Kind.STAFF)
        totp = ensure_authenticator(colleague)
        wrong = services.code_at_step(totp.secret(), step + 5)
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            assert not services.check_code(code_request(colleague), totp, wrong, now).ok
    assert LoginAttempt.objects.filter(realm="totp", ip_address=OFFICE).count() == 40
    assert pauses, "failures past the address limit are held back"
    totp = ensure_authenticator(staff_user)
    before = len(pauses)
    result = services.check_code(code_request(staff_user), totp,
                                 services.code_at_step(totp.secret(), step), now)
    assert result.ok and not result.throttled
    assert len(pauses) == before
