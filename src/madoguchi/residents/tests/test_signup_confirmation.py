"""Sign-up confirms the e-mail address; sign-up never tells who has an account; password reset."""

from __future__ import annotations

import importlib
import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.core import signing
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from madoguchi.applications.models import Application
from madoguchi.applications.services import SubmissionRefused, submit_application
from madoguchi.conftest import (
    CHECK_URL,
    FORM_SLUG,
    check_token,
    draft_of,
    fill_wizard,
    valid_answers,
    visible_text,
)
from madoguchi.core.models import AuditEvent, LoginAttempt, MailboxMessage, User
from madoguchi.core.ratelimit import limit_of
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.residents import services
from madoguchi.residents.models import Resident

PASSWORD = "kawa-no-nagare-2026"
NEW = "sakura@example.jp"
LINK = re.compile(r"https?://\S+")
MAILS_PER_ADDRESS = limit_of("signup").per_key
assert limit_of("reset").per_key == MAILS_PER_ADDRESS


@pytest.fixture(autouse=True)
def mail_at_once(monkeypatch) -> None:
    """Run after-commit work (the queued e-mails) at once.

    Each test runs inside a transaction that is rolled back, so on-commit callbacks would never
    run; requests in production run in autocommit, where they run when the view's writes commit.
    """
    monkeypatch.setattr("madoguchi.core.tasks.transaction.on_commit",
                        lambda callback, using=None, robust=False: callback())


def ja(message: str) -> str:
    with translation.override("ja"):
        return gettext(str(message))


def sign_up(client: Client, email: str, password: str = PASSWORD,
            next_path: str = ""):
    data = {"email": email, "password": password, "password_again": password}
    if next_path:
        data["next"] = next_path
    return client.post("/account/signup/", data)


def mails_to(email: str) -> list[MailboxMessage]:
    return list(MailboxMessage.objects.filter(to=email).order_by("pk"))


def link_in(mail: MailboxMessage, part: str) -> str:
    """The path of the first link in ``mail`` that contains ``part``."""
    for url in LINK.findall(mail.body):
        if part in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {part!r} in {mail.body!r}")


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# --- the same answer for every address -----------------------------------------------------------
def test_sign_up_answers_alike_for_a_new_and_an_existing_address(resident):
    new, old = Client(), Client()
    first = sign_up(new, NEW, next_path=f"/apply/{FORM_SLUG}/")
    second = sign_up(old, DEMO_RESIDENT_EMAIL, password="another-pass-2026",
                     next_path=f"/apply/{FORM_SLUG}/")
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    assert first.cookies.keys() == second.cookies.keys()
    page_new = without_tokens(new.get(first["Location"]).content.decode())
    page_old = without_tokens(old.get(second["Location"]).content.decode())
    assert page_new.replace(NEW, "ADDRESS") == page_old.replace(DEMO_RESIDENT_EMAIL, "ADDRESS")
    assert "_auth_user_id" not in new.session and "_auth_user_id" not in old.session


def test_the_sign_up_form_no_longer_says_an_address_is_taken(resident):
    response = Client().post("/account/signup/", {
        "email": DEMO_RESIDENT_EMAIL, "password": PASSWORD, "password_again": "different-99"})
    html = response.content.decode()
    assert response.status_code == 200
    assert ja("An account with this e-mail address already exists. Sign in instead.") not in html
    assert 'href="#id_email"' not in html  # only the password error is listed


def test_an_existing_address_gets_you_already_have_an_account(resident):
    hash_before = resident.password
    sign_up(Client(), " TARO@example.jp ", password="another-pass-2026",
            next_path=f"/apply/{FORM_SLUG}/")
    resident.refresh_from_db()
    assert resident.password == hash_before  # nothing about the account changed
    assert User.objects.filter(email=DEMO_RESIDENT_EMAIL).count() == 1
    [mail] = mails_to(DEMO_RESIDENT_EMAIL)
    assert mail.subject == ja("You already have an account")
    assert "/account/login/?next=%2Fapply%2Ftsugaku-hojo%2F" in mail.body
    assert "/account/password/reset/" in mail.body
    assert "/account/confirm/" not in mail.body
    # Its links work: sign in, or choose a new password.
    assert Client().get(link_in(mail, "/account/login/")).status_code == 200
    assert Client().get(link_in(mail, "/account/password/reset/")).status_code == 200


def test_a_staff_address_gets_a_notice_and_no_resident_account(staff_user):
    sign_up(Client(), staff_user.email)
    [mail] = mails_to(staff_user.email)
    assert ja("This address belongs to a city staff account. To apply as a resident, create an "
              "account with another e-mail address.") in mail.body
    staff_user.refresh_from_db()
    assert staff_user.kind == User.Kind.STAFF
    assert not Resident.objects.filter(user=staff_user).exists()


def test_sign_up_mails_are_limited_per_address(resident):
    for _ in range(MAILS_PER_ADDRESS + 2):
        sign_up(Client(), DEMO_RESIDENT_EMAIL)
    assert len(mails_to(DEMO_RESIDENT_EMAIL)) == MAILS_PER_ADDRESS


# --- the confirmation link ----------------------------------------------------------------------
def test_a_new_address_gets_a_link_that_confirms_and_signs_in_in_the_same_browser(demo):
    browser = Client()
    sign_up(browser, NEW, next_path=f"/apply/{FORM_SLUG}/")
    user = User.objects.get(email=NEW)
    [mail] = mails_to(NEW)
    assert mail.subject == ja("Confirm your e-mail address")
    link = link_in(mail, "/account/confirm/")
    assert link.endswith("?next=%2Fapply%2Ftsugaku-hojo%2F")
    # Opening the link (as a mail scanner would) confirms nothing; the button does.
    page = browser.get(link)
    assert page.status_code == 200
    assert ja("Confirm my address") in page.content.decode()
    assert Resident.objects.get(user=user).email_confirmed_at is None
    response = browser.post(link, {"next": f"/apply/{FORM_SLUG}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/apply/{FORM_SLUG}/"
    assert browser.session["_auth_user_id"] == str(user.pk)
    assert Resident.objects.get(user=user).email_confirmed_at is not None
    assert AuditEvent.objects.filter(action="signup.confirmed", target_id=str(user.pk)).exists()


def test_the_link_in_another_browser_confirms_without_signing_in(demo):
    sign_up(Client(), NEW)
    link = link_in(mails_to(NEW)[0], "/account/confirm/")
    other = Client()
    response = other.post(link)
    assert response.status_code == 200
    assert ja("Your e-mail address is confirmed") in response.content.decode()
    assert "_auth_user_id" not in other.session
    assert Resident.objects.get(user__email=NEW).email_confirmed_at is not None
    # Twice is harmless.
    assert other.post(link).status_code == 200
    already = ja("%(email)s is already confirmed.") % {"email": NEW}
    assert already in other.get(link).content.decode()


def test_an_existing_sign_up_in_this_browser_does_not_let_the_link_sign_it_in(demo):
    """A second sign-up of an unconfirmed address in another browser gains nothing there."""
    sign_up(Client(), NEW)
    link = link_in(mails_to(NEW)[0], "/account/confirm/")
    intruder = Client()
    sign_up(intruder, NEW, password="intruder-pass-2026")
    intruder.post(link)
    assert "_auth_user_id" not in intruder.session


@pytest.mark.parametrize("spoil", ["expired", "tampered", "other_address", "staff", "junk"])
def test_a_bad_confirmation_link_is_a_clear_400(demo, monkeypatch, spoil):
    user = services.sign_up(email=NEW, password=PASSWORD)
    token = services.confirmation_token(user)
    if spoil == "expired":
        monkeypatch.setattr(services, "CONFIRMATION_MAX_AGE", timedelta(seconds=-1))
    elif spoil == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif spoil == "other_address":
        User.objects.filter(pk=user.pk).update(email="changed@example.jp")
    elif spoil == "staff":
        User.objects.filter(pk=user.pk).update(kind=User.Kind.STAFF)
    else:
        token = "x" * 600
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/account/confirm/{token}/")
        assert response.status_code == 400
        assert ja("This link no longer works") in response.content.decode()
    assert Resident.objects.get(user=user).email_confirmed_at is None


# --- unconfirmed accounts: drafts yes, applications no ------------------------------------------
@pytest.fixture
def unconfirmed(demo) -> Client:
    user = services.sign_up(email=NEW, password=PASSWORD)
    client = Client()
    response = client.post("/account/login/", {"email": NEW, "password": PASSWORD})
    assert response.status_code == 302
    client.user = user
    return client


def test_an_unconfirmed_resident_fills_a_form_but_cannot_send_it(unconfirmed):
    fill_wizard(unconfirmed)
    page = unconfirmed.get(CHECK_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert ja("Confirm your e-mail address") in html
    assert 'action="/account/confirm/resend/"' in html
    response = unconfirmed.post(CHECK_URL, {"token": check_token(unconfirmed)})
    assert response.status_code == 422
    assert ja(services.NOT_CONFIRMED) in response.content.decode()
    assert not Application.objects.filter(applicant=unconfirmed.user).exists()
    assert draft_of(unconfirmed) is not None  # the answers are kept

    # Ask for the link again from that page; it comes back to the check page.
    response = unconfirmed.post("/account/confirm/resend/", {"next": CHECK_URL})
    assert response.status_code == 302 and response["Location"] == CHECK_URL
    [mail] = mails_to(NEW)
    link = link_in(mail, "/account/confirm/")
    assert link.endswith("?next=%2Fapply%2Ftsugaku-hojo%2Fcheck%2F")
    response = unconfirmed.post(link, {"next": CHECK_URL})
    assert response["Location"] == CHECK_URL
    response = unconfirmed.post(CHECK_URL, {"token": check_token(unconfirmed)})
    assert response.status_code == 302
    assert Application.objects.filter(applicant=unconfirmed.user).count() == 1


def test_resending_is_limited_and_says_so(unconfirmed):
    for _ in range(MAILS_PER_ADDRESS):
        unconfirmed.post("/account/confirm/resend/")
    response = unconfirmed.post("/account/confirm/resend/", follow=True)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert len(mails_to(NEW)) == MAILS_PER_ADDRESS
    assert ja("We have already sent several links in the last hour. Check your mailbox (and its "
              "spam folder), or try again later.") in response.content.decode()


def test_resending_needs_a_signed_in_resident(demo):
    response = Client().post("/account/confirm/resend/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_my_page_asks_to_confirm_only_until_confirmed(unconfirmed):
    assert ja("Confirm your e-mail address") in unconfirmed.get("/my/").content.decode()
    services.confirm_email(unconfirmed.user)
    assert ja("Confirm your e-mail address") not in unconfirmed.get("/my/").content.decode()


def test_the_service_refuses_an_unconfirmed_applicant(demo, form_version):
    user = services.sign_up(email=NEW, password=PASSWORD)
    with pytest.raises(SubmissionRefused) as refused:
        submit_application(user=user, version=form_version, answers=valid_answers(),
                           token=uuid.uuid4())
    assert refused.value.message == str(services.NOT_CONFIRMED)
    no_profile = User.objects.create_user(email="noprofile@example.jp", password=PASSWORD)
    with pytest.raises(SubmissionRefused):
        submit_application(user=no_profile, version=form_version, answers=valid_answers(),
                           token=uuid.uuid4())


def test_the_demo_resident_is_confirmed(resident, make_application):
    assert Resident.objects.get(user=resident).email_confirmed
    assert make_application().receipt_number


# --- the upgrade ----------------------------------------------------------------------------
def test_the_migration_confirms_everyone_who_had_an_account(demo):
    migration = importlib.import_module(
        "madoguchi.residents.migrations.0002_resident_email_confirmation")
    old = services.sign_up(email="old@example.jp", password=PASSWORD)
    no_profile = User.objects.create_user(email="legacy@example.jp", password=PASSWORD)
    staff = User.objects.get(email=staff_email("kosodate1"))
    migration.confirm_existing_residents(global_apps, None)
    assert Resident.objects.get(user=old).email_confirmed_at == Resident.objects.get(
        user=old).created_at
    assert Resident.objects.get(user=no_profile).email_confirmed
    assert not Resident.objects.filter(user=staff).exists()


# --- password reset ---------------------------------------------------------------------------
def test_password_reset_by_mailed_link(resident):
    for _ in range(5):
        Client().post("/account/login/", {"email": DEMO_RESIDENT_EMAIL, "password": "nope-nope"})
    assert Client().post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                              "password": DEMO_PASSWORD}).status_code == 429
    response = Client().post("/account/password/reset/", {"email": "Taro@Example.jp"})
    assert response["Location"] == "/account/password/reset/sent/"
    [mail] = mails_to(DEMO_RESIDENT_EMAIL)
    assert mail.subject == ja("Choose a new password")
    link = link_in(mail, "/account/password/reset/")
    browser = Client()
    response = browser.get(link)
    assert response.status_code == 302  # Django moves the token out of the address bar
    form_url = response["Location"]
    assert ja("Choose a new password") in browser.get(form_url).content.decode()
    short = browser.post(form_url, {"new_password1": "short1", "new_password2": "short1"})
    assert short.status_code == 200
    assert "10" in short.content.decode()
    response = browser.post(form_url, {"new_password1": "atarashii-pass-2026",
                                       "new_password2": "atarashii-pass-2026"})
    assert response["Location"] == "/account/login/"
    assert not LoginAttempt.objects.filter(realm="resident", email=DEMO_RESIDENT_EMAIL).exists()
    assert Client().post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                             "password": "atarashii-pass-2026"}).status_code == 302
    assert Client().post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                             "password": DEMO_PASSWORD}).status_code == 200
    # The link works once.
    again = Client().get(link, follow=True)
    assert ja("This link no longer works") in again.content.decode()


def test_password_reset_confirms_the_address(demo):
    user = services.sign_up(email=NEW, password=PASSWORD)
    Client().post("/account/password/reset/", {"email": NEW})
    browser = Client()
    form_url = browser.get(link_in(mails_to(NEW)[0], "/account/password/reset/"))["Location"]
    browser.post(form_url, {"new_password1": "atarashii-pass-2026",
                            "new_password2": "atarashii-pass-2026"})
    assert Resident.objects.get(user=user).email_confirmed


@pytest.mark.parametrize("email", ["nobody@example.jp", "staff"])
def test_password_reset_says_nothing_about_other_addresses(demo, email):
    if email == "staff":
        email = staff_email("kosodate1")
    known = Client().post("/account/password/reset/", {"email": DEMO_RESIDENT_EMAIL})
    unknown = Client().post("/account/password/reset/", {"email": email})
    assert known["Location"] == unknown["Location"]
    assert mails_to(email) == []


def test_a_bad_reset_link_is_a_clear_400(demo):
    response = Client().get("/account/password/reset/MQ/nope-nope/")
    assert response.status_code == 400
    assert ja("This link no longer works") in response.content.decode()


def test_password_reset_form_errors_are_japanese(demo):
    response = Client().post("/account/password/reset/", {"email": "not-an-email"})
    assert response.status_code == 200
    assert ja("Enter an e-mail address in the form name@example.jp.") in response.content.decode()


def test_reset_mails_are_limited_per_address(resident):
    for _ in range(MAILS_PER_ADDRESS + 2):
        Client().post("/account/password/reset/", {"email": DEMO_RESIDENT_EMAIL})
    assert len(mails_to(DEMO_RESIDENT_EMAIL)) == MAILS_PER_ADDRESS


def test_confirmation_tokens_expire_after_the_stated_days(demo, monkeypatch):
    user = services.sign_up(email=NEW, password=PASSWORD)
    token = services.confirmation_token(user)
    assert services.user_of_confirmation(token) == user
    later = timezone.now() + services.CONFIRMATION_MAX_AGE + timedelta(minutes=1)
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=later.timestamp))
    assert services.user_of_confirmation(token) is None


# --- every new page and e-mail reads in Japanese ----------------------------------------------
ENGLISH_RUN = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL = re.compile(r"(https?://|/)[\w\-./?=&%#:]+")


def english_in(text: str) -> list[str]:
    text = URL.sub(" ", EMAIL.sub(" ", text))
    text = text.replace("Madoguchi", "").replace("English", "")
    return ENGLISH_RUN.findall(text)


def test_the_new_pages_and_mails_are_japanese(unconfirmed, resident):
    fill_wizard(unconfirmed)
    pages = {
        "check": unconfirmed.get(CHECK_URL),
        "refused": unconfirmed.post(CHECK_URL, {"token": check_token(unconfirmed)}),
        "my page": unconfirmed.get("/my/"),
        "resent": unconfirmed.post("/account/confirm/resend/", follow=True),
    }
    visitor = Client()
    sent = sign_up(visitor, "kaede@example.jp")
    pages["sent"] = visitor.get(sent["Location"])
    sign_up(Client(), DEMO_RESIDENT_EMAIL)
    Client().post("/account/password/reset/", {"email": DEMO_RESIDENT_EMAIL})
    link = link_in(mails_to("kaede@example.jp")[0], "/account/confirm/")
    pages["confirm"] = Client().get(link)
    pages["confirmed"] = Client().post(link)
    pages["confirm again"] = Client().get(link)
    pages["bad link"] = Client().get("/account/confirm/nope/")
    pages["reset"] = Client().get("/account/password/reset/")
    pages["reset errors"] = Client().post("/account/password/reset/", {"email": ""})
    pages["reset sent"] = Client().get("/account/password/reset/sent/")
    browser = Client()
    reset_link = link_in(mails_to(DEMO_RESIDENT_EMAIL)[-1], "/account/password/reset/")
    pages["new password"] = browser.get(browser.get(reset_link)["Location"])
    pages["bad reset link"] = Client().get("/account/password/reset/MQ/nope/")
    pages["sign-in"] = Client().get("/account/login/")
    for name, response in pages.items():
        assert response.status_code in (200, 400, 422), (name, response.status_code)
        found = english_in(visible_text(response.content))
        assert not found, f"{name}: {found}"
    for mail in MailboxMessage.objects.all():
        assert not english_in(mail.subject + "\n" + mail.body), mail.subject


def test_sign_ups_from_one_client_address_are_limited_with_a_429(demo, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "2/3/3600"}
    statuses = [sign_up(Client(), f"person{n}@example.jp").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    response = sign_up(Client(), "person9@example.jp")
    assert response.status_code == 429 and int(response["Retry-After"]) > 3500
    assert ja("Too many accounts were asked for from this network.") in visible_text(
        response.content)
    assert not User.objects.filter(email="person9@example.jp").exists()
    assert MailboxMessage.objects.filter(to__startswith="person").count() == 2


def test_reset_requests_from_one_client_address_are_limited_with_a_429(resident, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reset": "2/3/3600"}
    # Every request counts, account or not, so the refusal tells nothing about who has one.
    statuses = [Client().post("/account/password/reset/", {"email": email}).status_code
                for email in (DEMO_RESIDENT_EMAIL, "nobody@example.jp", "nobody2@example.jp")]
    assert statuses == [302, 302, 429]
    response = Client().post("/account/password/reset/", {"email": DEMO_RESIDENT_EMAIL})
    assert response.status_code == 429 and int(response["Retry-After"]) > 3500
    assert ja("Too many password resets were asked for from this network.") in visible_text(
        response.content)
    assert len(mails_to(DEMO_RESIDENT_EMAIL)) == 1
