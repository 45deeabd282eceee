"""Resident sign-up, sign-in (with throttling), sign-out and the language of the pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from madoguchi.core import signin
from madoguchi.core.models import AuditEvent, LoginAttempt, User
from madoguchi.core.signin import TOO_MANY, WRONG
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.residents.models import Resident

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def field_errors(html: str, field_id: str) -> list[str]:
    """The error messages shown under a field (without the screen-reader prefix)."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html)
    return [re.sub(r"<[^>]+>", "", e).strip() for e in re.findall(
        rf'<p class="field__error" id="{field_id}-error">(.*?)</p>', html, re.S)]


def ja(message) -> str:
    with translation.override("ja"):
        return gettext(str(message)) if isinstance(message, str) else str(message)


# --- sign-up ----------------------------------------------------------------------------------
def test_sign_up_creates_an_unconfirmed_resident_and_asks_to_check_the_mail(client, demo):
    response = client.post("/account/signup/", {
        "email": " Hanako@Example.JP ", "password": "kawa-no-nagare-2026",
        "password_again": "kawa-no-nagare-2026"})
    assert response.status_code == 302
    assert response["Location"] == "/account/signup/sent/"
    user = User.objects.get(email="hanako@example.jp")
    assert user.kind == User.Kind.RESIDENT
    profile = Resident.objects.get(user=user)
    assert profile.preferred_language == "ja"
    assert profile.email_confirmed_at is None
    # Not signed in yet: the same answer as for an address that has an account.
    assert signed_in_user_id(client) is None
    page = client.get(response["Location"])
    assert "hanako@example.jp" in page.content.decode()
    # The password works at once (drafts can start before the address is confirmed).
    response = client.post("/account/login/", {"email": "hanako@example.jp",
                                               "password": "kawa-no-nagare-2026"})
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get("/my/").status_code == 200


def test_sign_up_keeps_a_safe_next_and_drops_an_unsafe_one(demo):
    data = {"password": "kawa-no-nagare-2026", "password_again": "kawa-no-nagare-2026"}
    response = Client().post("/account/signup/?next=/apply/tsugaku-hojo/",
                             {**data, "email": "a@example.jp"})
    assert response["Location"] == "/account/signup/sent/?next=%2Fapply%2Ftsugaku-hojo%2F"
    response = Client().post("/account/signup/", {**data, "email": "b@example.jp",
                                                  "next": "https://evil.example/"})
    assert response["Location"] == "/account/signup/sent/"
    # A bare word is not a path (redirect() would look it up as a view name and fail).
    response = Client().post("/account/signup/", {**data, "email": "c@example.jp", "next": "-1"})
    assert response.status_code == 302
    assert response["Location"] == "/account/signup/sent/"


@pytest.mark.parametrize(
    ("data", "field", "english"),
    [
        ({"email": "new@example.jp", "password": "kawa-no-nagare-2026",
          "password_again": "kawa-no-nagare-2027"}, "password_again",
         "The two passwords are different. Enter them again."),
        ({"email": "new@example.jp", "password": "short1", "password_again": "short1"},
         "password", None),
        ({"email": "not-an-email", "password": "kawa-no-nagare-2026",
          "password_again": "kawa-no-nagare-2026"}, "email",
         "Enter an e-mail address in the form name@example.jp."),
        ({"email": "", "password": "", "password_again": ""}, "email",
         "Enter your e-mail address."),
    ],
)
def test_sign_up_errors_are_shown_in_japanese(client, demo, data, field, english):
    before = User.objects.count()
    response = client.post("/account/signup/", data)
    assert response.status_code == 200
    html = response.content.decode()
    errors = field_errors(html, f"id_{field}")
    assert errors, f"no error shown for {field}"
    for error in errors:
        assert JAPANESE.search(error), f"error not in Japanese: {error!r}"
        assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", error), error
    if english:
        assert ja(english) in errors
    # The error summary links to the field.
    assert f'href="#id_{field}"' in html
    assert User.objects.count() == before
    assert signed_in_user_id(client) is None


def test_short_password_names_the_minimum_length(client, demo):
    response = client.post("/account/signup/", {
        "email": "new@example.jp", "password": "short1", "password_again": "short1"})
    assert "10" in " ".join(field_errors(response.content.decode(), "id_password"))


def test_sign_up_form_is_not_refilled_with_passwords(client, demo):
    response = client.post("/account/signup/", {
        "email": "new@example.jp", "password": "kawa-no-nagare-2026",
        "password_again": "other-password-99"})
    html = response.content.decode()
    assert "kawa-no-nagare-2026" not in html
    assert 'value="new@example.jp"' in html


# --- sign-in ----------------------------------------------------------------------------------
def test_resident_signs_in_and_out(client, resident):
    response = client.post("/account/login/", {"email": "TARO@example.jp",
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert signed_in_user_id(client) == str(resident.pk)
    assert AuditEvent.objects.filter(action="signin", actor=resident).exists()
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_logout_needs_post(resident_client):
    assert resident_client.get("/account/logout/").status_code == 405


def test_sign_in_next_is_kept_inside_the_site(resident):
    response = Client().post("/account/login/?next=/my/applications/", {
        "email": DEMO_RESIDENT_EMAIL, "password": DEMO_PASSWORD})
    assert response["Location"] == "/my/applications/"
    for unsafe in ["https://evil.example/", "//evil.example/", "\\\\evil.example",
                   "javascript:alert(1)", "-1", "home", "catalog:home", "my"]:
        response = Client().post("/account/login/", {
            "email": DEMO_RESIDENT_EMAIL, "password": DEMO_PASSWORD, "next": unsafe})
        assert response["Location"] == "/my/", unsafe


def test_wrong_password_is_refused_with_a_message(client, resident):
    response = client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                               "password": "wrong-password"})
    assert response.status_code == 200
    assert ja(WRONG) in response.content.decode()
    assert signed_in_user_id(client) is None
    assert LoginAttempt.objects.filter(realm="resident", email=DEMO_RESIDENT_EMAIL).count() == 1


def test_staff_cannot_sign_in_as_a_resident(client, staff_user):
    response = client.post("/account/login/", {"email": staff_user.email,
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    assert ja(WRONG) in response.content.decode()


def test_throttling_after_five_failures_refuses_even_the_right_password(client, resident):
    for _ in range(5):
        response = client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                                   "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert ja(TOO_MANY) in response.content.decode()
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action="signin.throttled").exists()
    # The limit is per e-mail address: another resident can still sign in from elsewhere.
    other = Client(REMOTE_ADDR="192.0.2.10")
    response = other.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                              "password": DEMO_PASSWORD})
    assert response.status_code == 429


def test_throttling_counts_the_address_however_it_is_typed(client, resident):
    for typed in ["taro@example.jp", "TARO@example.jp", " Taro@Example.jp ", "taro@EXAMPLE.JP",
                  "taro@example.jp"]:
        client.post("/account/login/", {"email": typed, "password": "wrong-password"})
    response = client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 429


def test_fewer_failures_then_success_clears_the_count(client, resident):
    for _ in range(4):
        client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL, "password": "nope-nope"})
    response = client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert not LoginAttempt.objects.filter(email=DEMO_RESIDENT_EMAIL).exists()


def test_throttling_is_per_realm(client, resident, staff_user):
    for _ in range(5):
        client.post("/staff/login/", {"email": staff_user.email, "password": "wrong-password"})
    assert client.post("/staff/login/", {"email": staff_user.email,
                                         "password": DEMO_PASSWORD}).status_code == 429
    response = Client().post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                                 "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_sign_in_form_errors(client, demo):
    response = client.post("/account/login/", {"email": "", "password": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert field_errors(html, "id_email") == [ja("Enter your e-mail address.")]
    assert field_errors(html, "id_password") == [ja("Enter your password.")]
    assert not LoginAttempt.objects.exists()


# --- language ---------------------------------------------------------------------------------
def test_home_page_is_japanese_by_default(client, demo):
    html = client.get("/").content.decode()
    assert '<html lang="ja">' in html


def test_switching_to_english_and_back(client, demo):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/search/?q=x"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=x"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Find a procedure" in html
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert '<html lang="ja">' in client.get("/").content.decode()


def test_browser_language_does_not_override_japanese_first(demo):
    # Pages open in Japanese on every device; only the language switch changes it.
    response = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get("/")
    assert '<html lang="ja">' in response.content.decode()
    assert response["Content-Language"] == "ja"


def test_unknown_language_is_ignored(client, demo):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert '<html lang="ja">' in client.get("/").content.decode()


def test_sign_up_in_english_remembers_the_language(demo):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/account/signup/", {"email": "en@example.jp", "password": "kawa-no-nagare-2026",
                                     "password_again": "kawa-no-nagare-2026"})
    assert Resident.objects.get(user__email="en@example.jp").preferred_language == "en"


def test_staff_email_helper():
    assert staff_email("kosodate1") == "kosodate1@city.midorigaoka.example"


def test_throttling_by_address_never_refuses_another_accounts_right_password(resident,
                                                                            monkeypatch):
    """Many residents may share one address: guesses from it must not keep them out."""
    monkeypatch.setattr(signin, "_pause", lambda seconds: None)
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(40):
        client.post("/account/login/", {"email": f"guess{n}@example.jp", "password": "x-x-x-x"})
    response = client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 302
