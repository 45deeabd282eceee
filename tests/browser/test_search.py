"""Site search in a real browser: results without JavaScript, keyboard use, accessibility at
320 px, and the staff page of synonym groups."""

from __future__ import annotations

import pytest
from browser_support import assert_accessible, screenshot_both, scroll_width, sign_in, submit
from playwright.sync_api import expect

from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email

pytestmark = pytest.mark.browser


def test_search_without_javascript(nojs_page, artifacts_dir):
    page = nojs_page
    page.goto("/")
    page.locator("#q").fill("ｼﾞｭｳﾐﾝﾋｮｳ")
    page.locator("#q").press("Enter")
    expect(page.locator(".search-count")).to_contain_text("ｼﾞｭｳﾐﾝﾋｮｳ")
    expect(page.locator('.search-result a[href="/procedures/juminhyo/"]')).to_be_visible()
    page.goto("/search/?q=住民票の写し")
    expect(page.locator(".search-result mark").first).to_contain_text("住民票")
    page.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(page) <= 320
    screenshot_both(page, artifacts_dir, "search-results")


def test_search_results_are_accessible(page):
    page.goto("/search/?q=" + "手当")
    expect(page.locator(".search-result").first).to_contain_text("児童手当")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_accessible(page, "search results")
    page.goto("/search/?q=" + "%22NEAR%28")
    expect(page.locator(".search-count")).to_be_visible()
    assert_accessible(page, "no results")


def test_staff_edit_synonyms(page, artifacts_dir):
    sign_in(page, staff_email("dx1"), DEMO_PASSWORD, staff=True)
    page.goto("/staff/search/synonyms/")
    page.locator("#f-terms").fill("ごみ")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, "synonym error")
    page.locator("#f-terms").fill("ごみ\n塵芥")
    submit(page)
    expect(page.locator("table")).to_contain_text("ごみ ／ 塵芥")
    screenshot_both(page, artifacts_dir, "search-synonyms")
    assert_accessible(page, "synonyms")
