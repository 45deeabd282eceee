"""The DX office signs in (password and TOTP) and reads the effect dashboard of a few months of
demo history: every chart is an SVG with an accessible name and a table beside it, the page is
axe-core clean, works without JavaScript and fits a 320 px screen."""

from __future__ import annotations

import pytest
from browser_support import screenshot_both, scroll_width, sign_in
from playwright.sync_api import expect

from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email

pytestmark = pytest.mark.browser

DX = staff_email("dx1")


@pytest.fixture
def history():
    from madoguchi.demo.history import load_demo_history

    return load_demo_history(days=75, scale=0.6)


def read_charts(page) -> None:
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(6)
    for i in range(6):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        name = page.evaluate("(el) => el.getAttribute('aria-labelledby').split(' ').map("
                             "id => document.getElementById(id).textContent).join(' ')",
                             chart.element_handle())
        assert len(name) > 20, name
        section = page.locator("section.effect-section").nth(i)
        expect(section.locator("table")).to_have_count(1)
        expect(section.locator("table caption")).not_to_be_empty()


def test_the_dx_office_reads_the_dashboard(page, nojs_page, history, assert_accessible,
                                           artifacts_dir):
    assert history["history_applications"] > 100
    sign_in(page, DX, DEMO_PASSWORD, staff=True)
    page.goto("/staff/bpr/effect/")
    expect(page.locator("h1")).to_have_text("効果測定ダッシュボード")
    read_charts(page)
    expect(page.locator("#channels tfoot")).to_contain_text("合計")
    assert_accessible(page, "effect dashboard")
    # A fiscal-year shortcut and the department filter, keyboard only.
    page.locator(".effect-fy a").first.click()
    expect(page.locator(".effect-fy a[aria-current='page']")).to_have_count(1)
    page.locator("#id_department").select_option("kosodate")
    page.locator(".effect-filter button[type=submit]").press("Enter")
    expect(page.locator("main p").first).to_contain_text("子育て支援課")
    read_charts(page)
    assert_accessible(page, "effect dashboard, one department")
    page.goto("/staff/bpr/effect/?from=2026-99")
    expect(page.locator("[role=alert]")).to_contain_text("年-月")
    page.goto("/staff/bpr/effect/")
    screenshot_both(page, artifacts_dir, "bpr-dashboard")
    page.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(page) <= 320
    # Without JavaScript the page and its charts are the same.
    sign_in(nojs_page, DX, DEMO_PASSWORD, staff=True)
    nojs_page.goto("/staff/bpr/effect/")
    read_charts(nojs_page)
