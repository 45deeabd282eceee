"""Two-factor sign-in of staff: set-up, codes, throttling, replay, the session flag, the demo."""

from __future__ import annotations

import base64
import re
import time

import pyotp
import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from madoguchi.core import crypto
from madoguchi.core.models import AuditEvent, LoginAttempt, User
from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email
from madoguchi.demo.city import load_demo_city
from madoguchi.demo.staff import DEMO_TOTP_SECRET
from madoguchi.staff import services
from madoguchi.staff.models import StaffMember, StaffTOTP
from madoguchi.staff.tests.helpers import ensure_authenticator, next_code, staff_login

CODE_URL = "/staff/login/code/"
SETUP_URL = "/staff/login/setup/"
SECRET_RE = re.compile(r'<code id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>')


def ja(message) -> str:
    with translation.override("ja"):
        return str(message)


def password_only(user: User) -> Client:
    """A client that did the password step and nothing more."""
    client = Client()
    response = client.post("/staff/login/", {"email": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


# --- the RFC 6238 parameters -------------------------------------------------------------------
def test_codes_follow_rfc_6238():
    """RFC 6238 appendix B (SHA-1): T=59 s gives 94287082; six digits are its last six."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert services.code_at_step(secret, 59 // 30) == "287082"
    assert services.code_at_step(secret, 1111111109 // 30) == "081804"
    totp = pyotp.TOTP(secret)
    assert (totp.digits, totp.interval) == (services.DIGITS, services.INTERVAL) == (6, 30)


def test_one_step_either_side_is_accepted_and_no_more():
    secret = services.new_secret()
    now = 1_800_000_000.0
    step = services.step_at(now)
    for offset in (-1, 0, 1):
        code = services.code_at_step(secret, step + offset)
        assert services.matching_step(secret, code, now) == step + offset
    for offset in (-3, -2, 2, 3):
        code = services.code_at_step(secret, step + offset)
        if code not in {services.code_at_step(secret, step + o) for o in (-1, 0, 1)}:
            assert services.matching_step(secret, code, now) is None


@pytest.mark.parametrize(("typed", "clean"), [
    ("123456", "123456"), ("１２３４５６", "123456"), ("123 456", "123456"),
    (" 123-456 ", "123456"), ("１２３　４５６", "123456"),
])
def test_typed_codes_are_normalised(typed, clean):
    assert services.normalise_code(typed) == clean


def test_secret_is_grouped_by_four_for_typing():
    assert services.grouped("ABCDEFGHIJKLMNOP") == "ABCD EFGH IJKL MNOP"


# --- the password step alone is not enough -----------------------------------------------------
@pytest.mark.parametrize("path", ["/staff/", "/staff/forms/", "/staff/stats/", "/staff/audit/",
                                  "/staff/admin/two-factor/", "/staff/applications/{id}/"])
def test_staff_pages_redirect_to_the_code_page_after_the_password_only(
    staff_user, application, path
):
    path = path.format(id=application.public_id)
    ensure_authenticator(staff_user)
    client = password_only(staff_user)
    assert client.session["_auth_user_id"] == str(staff_user.pk)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{CODE_URL}?next=")
    # ... and the case page was not opened: no view of the personal data was logged.
    assert not AuditEvent.objects.filter(action="application.view.staff").exists()


def test_status_change_is_refused_after_the_password_only(staff_user, application):
    ensure_authenticator(staff_user)
    client = password_only(staff_user)
    response = client.post(f"/staff/applications/{application.public_id}/status/",
                           {"to_status": "under_review"})
    assert response["Location"].startswith(CODE_URL)
    application.refresh_from_db()
    assert application.status == "received"


def test_code_page_needs_the_password_step(staff_user, resident):
    response = Client().get(CODE_URL)
    assert response["Location"].startswith("/staff/login/?next=")
    client = Client()
    client.force_login(resident)
    assert client.get(CODE_URL).status_code == 403
    assert client.get(SETUP_URL).status_code == 403


# --- setting up an authenticator ---------------------------------------------------------------
def test_first_sign_in_sets_up_the_authenticator(staff_user):
    client = password_only(staff_user)
    response = client.get(CODE_URL)
    assert response["Location"] == SETUP_URL
    page = client.get(SETUP_URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg role="img"' in html and "<title>" in html  # the QR code, inline
    assert "otpauth://" not in html  # the address is only inside the QR code
    assert not re.search(r'(src|href)="https?://', html)  # nothing loaded from elsewhere
    typed = SECRET_RE.search(html)[1]
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", typed)
    secret = typed.replace(" ", "")
    totp = StaffTOTP.objects.get(user=staff_user)
    assert totp.secret() == secret and totp.confirmed_at is None
    # Reloading shows the same key.
    assert SECRET_RE.search(client.get(SETUP_URL).content.decode())[1] == typed
    # A wrong code does not confirm it.
    wrong = "000000" if code_now(secret) != "000000" else "111111"
    response = client.post(SETUP_URL, {"code": wrong})
    assert response.status_code == 200
    assert ja(services.WRONG_CODE) in response.content.decode()
    assert client.get("/staff/")["Location"].startswith(CODE_URL)
    response = client.post(SETUP_URL, {"code": code_now(secret)})
    assert response["Location"] == "/staff/"
    totp.refresh_from_db()
    assert totp.confirmed_at is not None
    assert client.get("/staff/").status_code == 200
    actions = set(AuditEvent.objects.filter(target_id=str(staff_user.pk))
                  .values_list("action", flat=True))
    assert {"signin", "staff.totp.enrolled", "signin.2fa", "signin.2fa.failed"} <= actions


def test_a_confirmed_authenticator_cannot_be_replaced_by_signing_in(staff_user):
    totp = ensure_authenticator(staff_user)
    before = totp.sealed_secret
    client = password_only(staff_user)
    assert client.get(SETUP_URL)["Location"] == CODE_URL
    assert client.post(SETUP_URL, {"code": "123456"})["Location"] == CODE_URL
    totp.refresh_from_db()
    assert totp.sealed_secret == before


def test_the_secret_is_sealed_to_its_user(staff_user, other_staff_user):
    totp = ensure_authenticator(staff_user)
    secret = totp.secret()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_secret FROM staff_stafftotp WHERE id = %s", [totp.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and stored.startswith("v1:")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(stored, context=f"totp:{other_staff_user.pk}")


# --- the code page -----------------------------------------------------------------------------
def test_code_signs_in_and_sets_the_session_flag(staff_user):
    totp = ensure_authenticator(staff_user)
    client = password_only(staff_user)
    before = client.session.session_key
    page = client.get(CODE_URL).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    response = client.post(CODE_URL, {"code": code_now(totp.secret())})
    assert response["Location"] == "/staff/"
    flag = client.session[services.SESSION_KEY]
    assert flag["user"] == staff_user.pk and flag["totp"] == totp.pk
    assert abs(flag["at"] - time.time()) < 60
    assert client.session.session_key != before  # a new session id after the second step
    assert AuditEvent.objects.filter(action="signin.2fa", actor=staff_user).exists()
    # Signed in: the code page sends on.
    assert client.get(CODE_URL)["Location"] == "/staff/"


def test_full_width_code_is_accepted(staff_user):
    totp = ensure_authenticator(staff_user)
    code = code_now(totp.secret())
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code[:3]) + " " + code[3:]
    response = password_only(staff_user).post(CODE_URL, {"code": wide})
    assert response["Location"] == "/staff/"


@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "1234567"])
def test_malformed_code_is_a_form_error(staff_user, typed):
    ensure_authenticator(staff_user)
    response = password_only(staff_user).post(CODE_URL, {"code": typed})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not LoginAttempt.objects.filter(realm="totp").exists()


def test_a_code_cannot_be_used_twice(staff_user):
    totp = ensure_authenticator(staff_user)
    code = code_now(totp.secret())
    assert password_only(staff_user).post(CODE_URL, {"code": code})["Location"] == "/staff/"
    other = password_only(staff_user)
    response = other.post(CODE_URL, {"code": code})
    assert response.status_code == 200
    assert ja(services.REUSED_CODE) in response.content.decode()
    assert services.SESSION_KEY not in other.session
    event = AuditEvent.objects.filter(action="signin.2fa.failed").get()
    assert event.details == {"reason": "reused"}


def test_an_earlier_step_is_refused_after_a_later_one(staff_user):
    totp = ensure_authenticator(staff_user)
    secret = totp.secret()
    now = time.time()
    step = services.step_at(now)
    request = RequestFactory().post(CODE_URL)
    request.user = staff_user
    assert services.check_code(request, totp, services.code_at_step(secret, step), now).ok
    earlier = services.check_code(request, totp, services.code_at_step(secret, step - 1), now)
    assert not earlier.ok and earlier.error == str(services.REUSED_CODE)
    assert services.check_code(request, totp, services.code_at_step(secret, step + 1), now).ok


def test_wrong_codes_are_throttled_like_passwords(staff_user, settings):
    totp = ensure_authenticator(staff_user)
    client = password_only(staff_user)
    wrong = "000000" if code_now(totp.secret()) != "000000" else "111111"
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert client.post(CODE_URL, {"code": wrong}).status_code == 200
    assert LoginAttempt.objects.filter(realm="totp", email=staff_user.email).count() == 5
    response = client.post(CODE_URL, {"code": code_now(totp.secret())})
    assert response.status_code == 429
    assert ja(services.TOO_MANY_CODES) in response.content.decode()
    assert services.SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="signin.2fa.throttled",
                                     target_id=str(staff_user.pk)).exists()
    assert AuditEvent.objects.filter(action="signin.2fa.failed").count() == 5


def test_success_clears_earlier_failures(staff_user):
    totp = ensure_authenticator(staff_user)
    client = password_only(staff_user)
    wrong = "000000" if code_now(totp.secret()) != "000000" else "111111"
    client.post(CODE_URL, {"code": wrong})
    assert LoginAttempt.objects.filter(realm="totp").count() == 1
    client.post(CODE_URL, {"code": code_now(totp.secret())})
    assert not LoginAttempt.objects.filter(realm="totp").exists()


# --- the session flag --------------------------------------------------------------------------
def test_flag_of_another_user_or_an_old_flag_is_not_enough(staff_user, other_staff_user):
    client = staff_login(Client(), staff_user)
    assert client.get("/staff/").status_code == 200
    other_totp = ensure_authenticator(other_staff_user)
    session = client.session
    session[services.SESSION_KEY] = {"user": other_staff_user.pk, "totp": other_totp.pk,
                                     "at": int(time.time())}
    session.save()
    assert client.get("/staff/")["Location"].startswith(CODE_URL)
    totp = StaffTOTP.objects.get(user=staff_user)
    session[services.SESSION_KEY] = {"user": staff_user.pk, "totp": totp.pk,
                                     "at": int(time.time()) - 9 * 3600}
    session.save()
    assert client.get("/staff/")["Location"].startswith(CODE_URL)
    session[services.SESSION_KEY] = "yes"
    session.save()
    assert client.get("/staff/")["Location"].startswith(CODE_URL)


def test_sign_out_ends_the_second_factor_too(staff_user):
    client = staff_login(Client(), staff_user)
    client.post("/staff/logout/")
    assert services.SESSION_KEY not in client.session
    assert client.get("/staff/")["Location"].startswith("/staff/login/")


def test_menus_appear_only_after_the_second_factor(staff_user):
    ensure_authenticator(staff_user)
    client = password_only(staff_user)
    page = client.get(CODE_URL).content.decode()
    assert 'href="/staff/forms/"' not in page
    assert 'action="/staff/logout/"' in page  # signing out is always possible
    client.post(CODE_URL, {"code": next_code(staff_user)})
    assert 'href="/staff/forms/"' in client.get("/staff/").content.decode()


# --- the demo ----------------------------------------------------------------------------------
def test_demo_staff_get_the_published_demo_key_only_in_demo_mode(demo):
    assert not StaffTOTP.objects.exists()
    with override_settings(DEMO=True):
        load_demo_city()
    staff = StaffMember.objects.select_related("user")
    assert StaffTOTP.objects.count() == staff.count()
    for member in staff:
        totp = member.user.staff_totp
        assert totp.confirmed_at is not None
        assert totp.secret() == DEMO_TOTP_SECRET


def test_demo_does_not_overwrite_an_authenticator(demo, staff_user):
    own = ensure_authenticator(staff_user)
    with override_settings(DEMO=True):
        load_demo_city()
    assert StaffTOTP.objects.get(user=staff_user).sealed_secret == own.sealed_secret


def test_demo_sign_in_with_the_published_key(demo):
    with override_settings(DEMO=True):
        load_demo_city()
        client = Client()
        client.post("/staff/login/", {"email": staff_email("kosodate1"),
                                      "password": DEMO_PASSWORD})
        page = client.get(CODE_URL).content.decode()
        assert DEMO_TOTP_SECRET not in page and "README" in page  # where the key is, not the key
        response = client.post(CODE_URL, {"code": code_now(DEMO_TOTP_SECRET)})
    assert response["Location"] == "/staff/"
    assert DEMO_TOTP_SECRET not in Client().get("/staff/login/").content.decode()


def test_demo_key_is_not_mentioned_outside_demo_mode(staff_user):
    ensure_authenticator(staff_user)
    page = password_only(staff_user).get(CODE_URL).content.decode()
    assert "README" not in page
