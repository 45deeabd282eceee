"""The resident languages in a real browser: the switch and the offer without JavaScript on a
320 px phone, axe-core clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import screenshot_both, scroll_width
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_switching_to_vietnamese_on_a_phone_without_javascript(
    new_page, assert_accessible, artifacts_dir: Path
):
    page = new_page(js=False, width=320, height=640)
    page.goto("/procedures/jido-teate/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert scroll_width(page) <= 320
    page.locator(".lang-switch summary").click()
    expect(page.locator(".lang-switch__list")).to_be_visible()
    assert scroll_width(page) <= 320
    assert_accessible(page, "language switch open at 320 px")
    screenshot_both(page, artifacts_dir, "language-switch")
    page.get_by_role("button", name="Tiếng Việt").click()
    assert page.url.endswith("/procedures/jido-teate/")
    assert page.locator("html").get_attribute("lang") == "vi"
    # The demo ships the procedure in Vietnamese: no part of the heading falls back to Japanese.
    expect(page.locator("h1")).to_contain_text("nhi đồng")
    expect(page.locator('h1 [lang="ja"]')).to_have_count(0)
    assert scroll_width(page) <= 320
    assert_accessible(page, "procedure page in Vietnamese at 320 px")
    # The choice is kept; staff pages stay Japanese.
    page.goto("/faq/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.goto("/staff/login/")
    assert page.locator("html").get_attribute("lang") == "ja"
    expect(page.locator(".lang-switch__list button")).to_have_count(2)


def test_the_offer_for_a_vietnamese_browser(new_page, assert_accessible, artifacts_dir: Path):
    page = new_page(js=False, width=320, height=640, locale="vi-VN")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ja"
    offer = page.locator("aside.language-offer")
    expect(offer).to_be_visible()
    assert offer.get_attribute("lang") in {"vi", "ja"}  # ja while the vi catalog is header-only
    expect(offer.locator('[lang="vi"]').first).to_have_text("Tiếng Việt")
    assert scroll_width(page) <= 320
    assert_accessible(page, "offer at 320 px")
    screenshot_both(page, artifacts_dir, "language-offer")
    offer.locator('button[value="vi"]').click()
    assert page.locator("html").get_attribute("lang") == "vi"
    expect(page.locator("aside.language-offer")).to_have_count(0)


def test_dismissing_the_offer(new_page):
    page = new_page(js=False, locale="pt-BR")
    page.goto("/")
    page.locator('aside.language-offer button[value="ja"]').click()
    assert page.locator("html").get_attribute("lang") == "ja"
    expect(page.locator("aside.language-offer")).to_have_count(0)
    page.goto("/faq/")
    expect(page.locator("aside.language-offer")).to_have_count(0)
