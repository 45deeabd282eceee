"""The resident's pre-application (スマート申請) on a 320 px phone without JavaScript: life
events → the navigator's questions → the forms' questions → the code with its QR code; axe-core
on every page and nothing wider than the screen."""

from __future__ import annotations

import re

import pytest
from browser_support import scroll_width, submit
from playwright.sync_api import expect

from madoguchi.counter.models import PreApplication

pytestmark = pytest.mark.browser


def test_a_pre_application_on_a_phone(new_page, assert_accessible) -> None:
    phone = new_page(js=False, width=320, height=640)
    phone.goto("/pre/")
    expect(phone.locator("h1")).to_have_text("市役所に来る前に準備しましょう")
    assert_accessible(phone, "pre-application start")
    assert scroll_width(phone) <= 320
    phone.locator("#pre-school").check()
    submit(phone)

    assert_accessible(phone, "pre-application events")
    phone.locator("#pre-school-date").fill("2026-04-01")
    phone.locator("#pre-school-high_school").check()
    phone.locator("#pre-school-help_costs-no").check()
    submit(phone)

    expect(phone.locator("h1")).to_have_text("申請書の質問")
    assert_accessible(phone, "pre-application answers")
    assert scroll_width(phone) <= 320
    phone.locator("#f-c_applicant_name-family").fill("緑川")
    phone.locator("#f-c_applicant_name-given").fill("太郎")
    phone.locator("#f-c_applicant_name-family_kana").fill("ミドリカワ")
    phone.locator("#f-c_applicant_name-given_kana").fill("タロウ")
    submit(phone)

    code = phone.locator(".preapp-code__code strong").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    expect(phone.locator(".preapp-code__qr svg")).to_have_count(1)
    assert_accessible(phone, "pre-application code")
    assert scroll_width(phone) <= 320
    assert PreApplication.objects.get().completed_at is not None
