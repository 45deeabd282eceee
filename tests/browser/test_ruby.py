"""ふりがな in a real browser: the switch with JavaScript off, ruby on a form page, axe-core
clean with ruby on, readable on a small phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import screenshot_both, scroll_width
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_switch_without_javascript(nojs_page, assert_accessible, artifacts_dir: Path):
    page = nojs_page
    page.goto("/procedures/jido-teate/")
    assert page.locator("ruby").count() == 0
    page.get_by_role("button", name="ふりがなをつける").click()
    assert page.url.endswith("/procedures/jido-teate/")
    heading = page.locator("h1")
    expect(heading.locator("ruby").first).to_be_visible()
    # Screen readers get the words once, without the readings (rt and rp are aria-hidden).
    expect(page.get_by_role("heading", level=1, name="児童手当", exact=False)).to_be_visible()
    hidden = page.locator("h1 rt").first.get_attribute("aria-hidden")
    assert hidden == "true"
    assert_accessible(page, "procedure page with furigana")
    screenshot_both(page, artifacts_dir, "ruby-procedure")

    # The choice is kept across pages: the city's own reading of 緑ヶ丘 in the header.
    page.goto("/")
    assert "みどりがおか" in page.locator(".site-header__brand rt").first.inner_text()
    page.get_by_role("button", name="ふりがなをはずす").click()
    assert page.locator("ruby").count() == 0


def test_a_form_page_with_ruby_on_a_small_phone(page, assert_accessible):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    page.get_by_role("button", name="ふりがなをつける").click()
    page.goto("/navi/")
    expect(page.locator("main ruby").first).to_be_visible()
    assert scroll_width(page) <= 320
    assert_accessible(page, "navigator with furigana at 320 px")
