"""LINE account linking end to end, the notification settings page and the rich menu."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from madoguchi.channels import services
from madoguchi.channels.models import ChannelPreference, LineAccount, LineLinkNonce
from madoguchi.channels.selectors import preferred_channels
from madoguchi.conftest import DEMO_PASSWORD, client_for
from madoguchi.core.models import AuditEvent
from madoguchi.line.tests.conftest import event, payload, post_webhook, postback_event

pytestmark = pytest.mark.django_db
USER = "U" + "b" * 32


def link_url_from_chat(line_api) -> str:
    """Tap "link account" in the chat; return the sign-in URL LINE shows."""
    post_webhook(Client(), payload(postback_event("action=link", USER)))
    uris = [u for u in line_api.reply_texts() if "/line/link/" in u]
    assert uris, line_api.reply_texts()
    return uris[-1]


def test_account_linking_end_to_end(demo, line_api, resident):
    url = link_url_from_chat(line_api)
    assert line_api.calls(f"/v2/bot/user/{USER}/linkToken")
    parts = urlsplit(url)
    token = parse_qs(parts.query)["linkToken"][0]
    browser = Client()
    page = browser.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()

    wrong = browser.post(f"{parts.path}?{parts.query}",
                         {"email": resident.email, "password": "not-the-password"})
    assert wrong.status_code == 200 and 'id="error-summary"' in wrong.content.decode()
    assert not LineLinkNonce.objects.exists()

    signed = browser.post(f"{parts.path}?{parts.query}",
                          {"email": resident.email, "password": DEMO_PASSWORD})
    assert signed.status_code == 302
    target = urlsplit(signed["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == (
        "https://access.line.me/dialog/bot/accountLink")
    query = parse_qs(target.query)
    assert query["linkToken"] == [token]
    nonce = query["nonce"][0]
    assert 10 <= len(nonce) <= 255
    assert nonce not in str(list(LineLinkNonce.objects.values_list("digest", flat=True)))
    assert AuditEvent.objects.filter(action="line.link_started", target_id=str(resident.pk))

    # LINE then calls the webhook with the result.
    link = event("accountLink", USER, link={"result": "ok", "nonce": nonce})
    assert post_webhook(Client(), payload(link)).status_code == 200
    account = LineAccount.objects.get(line_user_id=USER)
    assert account.user == resident and account.linked_at is not None
    assert "/my/notifications/" in line_api.replies[-1]["messages"][0]["text"]

    # The nonce works once: another LINE user cannot reuse it.
    again = event("accountLink", "U" + "c" * 32, link={"result": "ok", "nonce": nonce})
    post_webhook(Client(), payload(again))
    assert not LineAccount.objects.filter(line_user_id="U" + "c" * 32, user__isnull=False)


def test_a_failed_or_forged_link_links_nobody(demo, line_api, resident):
    nonce = services.create_link_nonce(resident)
    post_webhook(Client(), payload(event("accountLink", USER,
                                         link={"result": "failed", "nonce": nonce})))
    post_webhook(Client(), payload(event("accountLink", USER,
                                         link={"result": "ok", "nonce": "forged-nonce-123"})))
    assert not LineAccount.objects.filter(user=resident).exists()


def test_an_expired_nonce_links_nobody(demo, line_api, resident):
    nonce = services.create_link_nonce(resident)
    LineLinkNonce.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    assert services.link_account(USER, nonce) is None


def test_linking_a_second_line_account_replaces_the_first(demo, resident):
    services.link_account(USER, services.create_link_nonce(resident))
    other = "U" + "d" * 32
    services.link_account(other, services.create_link_nonce(resident))
    assert LineAccount.objects.get(user=resident).line_user_id == other
    assert LineAccount.objects.get(line_user_id=USER).user is None


def test_a_staff_account_cannot_link(demo, line_api, staff_user):
    browser = Client()
    response = browser.post("/line/link/?linkToken=abcdefgh12345678",
                            {"email": staff_user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert not LineLinkNonce.objects.exists()


@pytest.mark.parametrize("query", ["", "?linkToken=", "?linkToken=<script>",
                                   "?linkToken=" + "a" * 500, "?linkToken=a%00b"])
def test_a_broken_link_page_says_so(demo, line_api, query):
    response = Client().get(f"/line/link/{query}")
    assert response.status_code == 400
    assert "<script>" not in response.content.decode().split("<main", 1)[-1]


def test_the_link_page_is_off_without_line(demo):
    assert Client().get("/line/link/?linkToken=abcdefgh12345678").status_code == 400


def test_a_link_token_failure_is_told_politely(demo, line_api):
    line_api.fail_next("/linkToken", 500)
    assert post_webhook(Client(), payload(postback_event("action=link", USER))).status_code == 200
    assert line_api.replies[-1]["messages"][0]["type"] == "text"


# --- the notification settings page -------------------------------------------------------
def test_the_settings_page_needs_a_resident(demo, staff_user):
    response = Client().get("/my/notifications/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert client_for(staff_user).get("/my/notifications/").status_code == 403


def test_line_is_offered_only_once_linked(demo, line_api, resident):
    browser = client_for(resident)
    html = browser.get("/my/notifications/").content.decode()
    assert 'value="email" checked' in html
    assert 'value="line"' not in html
    # Choosing LINE without a link is not possible: it is ignored and nothing is chosen.
    response = browser.post("/my/notifications/", {"channels": ["line"]})
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()
    assert not ChannelPreference.objects.exists()

    services.link_account(USER, services.create_link_nonce(resident))
    html = browser.get("/my/notifications/").content.decode()
    assert 'value="line"' in html
    response = browser.post("/my/notifications/", {"channels": ["line", "email"]})
    assert response.status_code == 302
    assert set(preferred_channels(resident)) == {"email", "line"}


def test_choosing_nothing_is_an_error_next_to_the_field(demo, resident):
    response = client_for(resident).post("/my/notifications/", {})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="field__error"' in html and 'href="#f-channels-0"' in html
    assert 'aria-describedby="f-channels-hint f-channels-error"' in html


def test_unknown_channel_codes_are_ignored(demo, resident):
    response = client_for(resident).post("/my/notifications/",
                                         {"channels": ["email", "fax", "<b>"]})
    assert response.status_code == 302
    assert preferred_channels(resident) == ["email"]


def test_unlinking_from_the_settings_page(demo, line_api, resident):
    services.link_account(USER, services.create_link_nonce(resident))
    services.set_channel_preference(resident, ["line"])
    browser = client_for(resident)
    assert browser.get("/my/notifications/line/unlink/").status_code == 405
    response = browser.post("/my/notifications/line/unlink/")
    assert response.status_code == 302
    assert LineAccount.objects.get(line_user_id=USER).user is None
    assert preferred_channels(resident) == ["email"]
    assert AuditEvent.objects.filter(action="line.unlink").exists()


def test_unlink_needs_the_csrf_token(demo, line_api, resident):
    services.link_account(USER, services.create_link_nonce(resident))
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(resident)
    assert browser.post("/my/notifications/line/unlink/").status_code == 403
    assert LineAccount.objects.get(line_user_id=USER).user == resident


def test_the_settings_page_in_english(demo, resident):
    browser = client_for(resident)
    browser.cookies["django_language"] = "en"
    html = browser.get("/my/notifications/").content.decode()
    assert "<h1>Notification settings</h1>" in html
    assert "How do you want to receive notices?" in html


# --- rich menu ----------------------------------------------------------------------------
def test_the_rich_menu_command_against_the_fake(demo, line_api):
    out = io.StringIO()
    call_command("setup_line_rich_menu", stdout=out)
    created = line_api.calls("/v2/bot/richmenu")[0].json
    assert [a["action"]["data"] for a in created["areas"]] == [
        "menu=navi", "menu=status", "menu=booking", "menu=inquiry"]
    assert [a["action"]["label"] for a in created["areas"]] == [
        "手続きナビ", "申請状況", "予約", "問い合わせ"]
    total = sum(a["bounds"]["width"] * a["bounds"]["height"] for a in created["areas"])
    assert total == created["size"]["width"] * created["size"]["height"]
    menu_id = re.search(r"rich menu (\S+) is now", out.getvalue())[1]
    upload = line_api.calls(f"/v2/bot/richmenu/{menu_id}/content")[0]
    assert upload.headers["content-type"] == "image/png"
    assert upload.body.startswith(b"\x89PNG")
    assert line_api.calls(f"/v2/bot/user/all/richmenu/{menu_id}")


def test_the_rich_menu_command_without_line(demo, settings):
    settings.LINE_CHANNEL_SECRET = ""
    with pytest.raises(CommandError):
        call_command("setup_line_rich_menu")


def test_the_rich_menu_command_reports_a_refusal(demo, line_api):
    line_api.fail_next("/v2/bot/richmenu", 400)
    with pytest.raises(CommandError, match="400"):
        call_command("setup_line_rich_menu")
