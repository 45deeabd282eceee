"""The address field's postal code look-up in a real browser, with and without JavaScript."""

from __future__ import annotations

import pytest
from browser_support import SLUG, assert_accessible, sign_in, submit
from playwright.sync_api import expect

from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL

pytestmark = pytest.mark.browser

APPLICANT = f"/apply/{SLUG}/applicant/"


def test_typing_a_postal_code_fills_the_address_under_the_sites_csp(new_page) -> None:
    page = new_page(bypass_csp=False)
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(APPLICANT)
    page.locator("#f-address-street").fill("1-1")
    page.locator("#f-address-postal_code").fill("１００－０００１")
    expect(page.locator("#f-address-prefecture")).to_have_value("東京都")
    expect(page.locator("#f-address-city")).to_have_value("千代田区")
    expect(page.locator("#f-address-town")).to_have_value("千代田")
    expect(page.locator("#f-address-street")).to_have_value("1-1")
    status = page.locator("#f-address-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("住所を入力しました。番地などを続けて入力してください。")

    # Several towns: a list to choose from; choosing one fills the town.
    page.locator("#f-address-postal_code").fill("068-0546")
    expect(page.locator("#f-address-candidate-1")).to_be_visible()
    expect(page.locator("#f-address-city")).to_have_value("夕張市")
    expect(page.locator("#f-address-town")).to_have_value("")
    page.locator("#f-address-candidate-1").check()
    expect(page.locator("#f-address-town")).to_have_value("南部菊水町")

    # The demo city's fictional code is not in Japan Post's data: the resident types it.
    page.locator("#f-address-postal_code").fill("999-0101")
    expect(status).to_have_text(
        "郵便番号に当てはまる住所が見つかりませんでした。住所を入力してください。"
    )
    expect(page.locator("#f-address-town")).to_have_value("南部菊水町")  # nothing erased
    log = page.madoguchi_console
    assert log.csp_violations() == [], log.csp_violations()
    assert log.errors == [], log.errors


def test_the_lookup_button_works_without_javascript(new_page) -> None:
    page = new_page(js=False)
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(APPLICANT)
    page.locator("#f-phone").fill("090-1234-5678")
    page.locator("#f-address-postal_code").fill("997-0035")
    response = submit(page, 'button[name="_action"]')
    assert response.status == 200
    assert page.url.endswith(APPLICANT)
    expect(page.locator("#f-address-prefecture")).to_have_value("山形県")
    expect(page.locator("#f-address-city")).to_have_value("鶴岡市")
    expect(page.locator("#f-address-town")).to_have_value("馬場町")
    expect(page.locator("#f-phone")).to_have_value("090-1234-5678")
    expect(page.locator("#f-address-status")).to_have_text(
        "住所を入力しました。番地などを続けて入力してください。"
    )
    assert_accessible(page, "applicant page after the look-up")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_enter_in_another_box_continues_rather_than_looking_up(new_page, js) -> None:
    page = new_page(bypass_csp=False, js=js)
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(APPLICANT)
    with page.expect_navigation() as navigation:
        page.locator("#f-phone").press("Enter")
    assert navigation.value.status == 422  # validated: the page's own button was pressed
    expect(page.locator("#error-summary")).to_be_visible()
