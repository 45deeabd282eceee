"""Retention in a real browser: a resident deletes their account (JavaScript off, 320 px), and
an administrator sets a procedure's 保存年限; every page axe-clean."""

from __future__ import annotations

import re

import pytest
from browser_support import scroll_width, sign_in, submit
from playwright.sync_api import expect

from madoguchi.catalog.models import Procedure
from madoguchi.core.models import User
from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email
from madoguchi.residents.services import sign_up

pytestmark = pytest.mark.browser
ERROR_TITLE = re.compile(r"^(エラー：|Error: )")
EMAIL = "sakura@example.jp"
PASSWORD = "sakura-no-hana-2026"


def test_resident_deletes_their_account(new_page, assert_accessible) -> None:
    sign_up(email=EMAIL, password=PASSWORD, confirmed=True)
    page = new_page(js=False, width=320, height=640)
    sign_in(page, EMAIL, PASSWORD)
    page.goto("/my/")
    page.get_by_role("link", name="アカウントを削除する").click()
    expect(page.locator("h1")).to_have_text("アカウントを削除する")
    assert scroll_width(page) <= 320
    assert_accessible(page, "delete account")

    page.locator("#password").fill(PASSWORD)
    submit(page, "main form button[type=submit]")
    expect(page).to_have_title(ERROR_TITLE)
    expect(page.locator("#error-summary")).to_contain_text("チェック")
    assert_accessible(page, "delete account with an error")

    page.locator("#understood").check()
    page.locator("#password").fill(PASSWORD)
    submit(page, "main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("アカウントを削除しました")
    assert scroll_width(page) <= 320
    assert_accessible(page, "account deleted")
    assert not User.objects.filter(email=EMAIL).exists()


def test_administrator_sets_a_retention_period(new_page, assert_accessible) -> None:
    page = new_page()
    sign_in(page, staff_email("shimin-admin"), DEMO_PASSWORD, staff=True)
    page.goto("/staff/procedures/")
    page.locator("a[href='/staff/procedures/juminhyo/retention/']").click()
    assert_accessible(page, "procedure retention")
    page.locator("#years").fill("0")
    submit(page, "main form button[type=submit]")
    expect(page.locator("#years-error")).to_be_visible()
    assert_accessible(page, "procedure retention with an error")
    page.locator("#years").fill("3")
    submit(page, "main form button[type=submit]")
    assert Procedure.objects.get(slug="juminhyo").retention_years == 3
    page.goto("/staff/retention/")
    expect(page.locator("h1")).to_have_text("保存年限と削除")
    assert_accessible(page, "retention overview")
