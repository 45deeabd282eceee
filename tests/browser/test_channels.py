"""Notification settings and LINE account linking in a real browser (JavaScript off)."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import screenshot_both, scroll_width, sign_in, submit
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from madoguchi.channels import services
from madoguchi.channels.models import LineAccount, LineLinkNonce
from madoguchi.channels.selectors import preferred_channels
from madoguchi.core.models import User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL
from madoguchi.demo.line_fake import FakeLineApi

pytestmark = pytest.mark.browser
LINE_USER = "U" + "e" * 32
ERROR_TITLE = re.compile(r"^(エラー：|Error: )")
SAVE = "main form button.button:not(.button--secondary)"


@pytest.fixture
def line_api(settings):
    with FakeLineApi() as fake:
        settings.LINE_CHANNEL_SECRET = "browser-secret"
        settings.LINE_CHANNEL_ACCESS_TOKEN = fake.access_token
        settings.LINE_API_BASE = fake.url
        settings.LINE_API_DATA_BASE = fake.url
        yield fake


def test_resident_chooses_line_then_unlinks(nojs_page, line_api, assert_accessible,
                                            artifacts_dir) -> None:
    page = nojs_page
    resident = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    services.link_account(LINE_USER, services.create_link_nonce(resident))
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)

    page.goto("/my/notifications/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "notification settings")
    email_box, line_box = page.locator("#f-channels-0"), page.locator("#f-channels-1")
    expect(email_box).to_be_checked()
    expect(line_box).not_to_be_checked()

    # Nothing chosen: an error summary linking to the field, and the message next to it.
    email_box.uncheck()
    submit(page, SAVE)
    expect(page).to_have_title(ERROR_TITLE)
    expect(page.locator("#error-summary a[href='#f-channels-0']")).to_be_visible()
    expect(page.locator("#f-channels-error")).to_be_visible()
    assert_accessible(page, "notification settings with an error")
    screenshot_both(page, artifacts_dir, "channels-preferences-error")

    # LINE only.
    page.locator("#f-channels-1").check()
    submit(page, SAVE)
    assert urlsplit(page.url).path == "/my/notifications/"
    expect(page.locator(".notice--success")).to_be_visible()
    assert preferred_channels(resident) == ["line"]
    page.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(page) <= 320
    box = page.locator("main button[type=submit]").first.bounding_box()
    assert box is not None and box["height"] >= 44
    screenshot_both(page, artifacts_dir, "channels-preferences")

    # Unlink: notices go by e-mail again and LINE is no longer offered.
    submit(page, "form[action='/my/notifications/line/unlink/'] button[type=submit]")
    assert LineAccount.objects.get(line_user_id=LINE_USER).user is None
    assert preferred_channels(resident) == ["email"]
    expect(page.locator("input[value=line]")).to_have_count(0)
    assert_accessible(page, "notification settings after unlinking")


def test_resident_links_line_from_the_chat_link(nojs_page, line_api, assert_accessible,
                                                artifacts_dir) -> None:
    page = nojs_page
    seen: list[str] = []
    # LINE's dialog is not reachable from the test machine: record where the browser went.
    page.on("request", lambda r: seen.append(r.url)
            if r.url.startswith("https://access.line.me/") else None)
    page.goto("/line/link/?linkToken=browserLinkToken0123456789")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "LINE link sign-in")
    screenshot_both(page, artifacts_dir, "channels-line-link")
    page.locator("#id_email").fill(DEMO_RESIDENT_EMAIL)
    page.locator("#id_password").fill("wrong-password-123")
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert not LineLinkNonce.objects.exists()
    page.locator("#id_email").fill(DEMO_RESIDENT_EMAIL)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with contextlib.suppress(PlaywrightError):
        submit(page)
    assert seen, "the browser was not sent to LINE's account-link dialog"
    query = parse_qs(urlsplit(seen[0]).query)
    assert query["linkToken"] == ["browserLinkToken0123456789"]
    resident = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    assert services.link_account(LINE_USER, query["nonce"][0]) == resident


def test_a_broken_link_page_is_accessible(nojs_page, line_api, assert_accessible) -> None:
    response = nojs_page.goto("/line/link/")
    assert response is not None and response.status == 400
    expect(nojs_page).to_have_title(ERROR_TITLE)
    assert_accessible(nojs_page, "broken LINE link")
