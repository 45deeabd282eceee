"""Subsidies paid by transfer in the browser: the clerk confirms the amount and approves on the
case, the treasury chooses the procedure and a payment day (a holiday is refused), sees the
payee and makes the 全銀 file, which downloads and reads back. Every page passes axe-core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from browser_support import make_application, sign_in, submit
from playwright.sync_api import expect

from madoguchi.applications.models import Status
from madoguchi.applications.services import change_status
from madoguchi.core.models import User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.jp import zengin_transfer as zt

pytestmark = pytest.mark.browser


def test_approve_with_the_amount_then_the_treasury_makes_the_file(new_page, assert_accessible):
    resident = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    clerk_user = User.objects.get(email=staff_email("kosodate1"))
    application = make_application(resident)
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk_user)

    clerk = new_page()
    sign_in(clerk, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    clerk.goto(f"/staff/applications/{application.public_id}/")
    assert_accessible(clerk, "case with the amount")
    clerk.locator("#payout-amount").fill("３０，０００")
    submit(clerk, "form[action$='/amount/'] button[type=submit]")
    expect(clerk.locator("main")).to_contain_text("30,000")
    application.refresh_from_db()
    assert application.status == Status.APPROVED

    treasury = new_page()
    sign_in(treasury, staff_email("kaikei1"), DEMO_PASSWORD, staff=True)
    treasury.goto("/staff/payments/transfers/")
    assert_accessible(treasury, "transfer page")
    treasury.locator("#f-procedure").select_option("tsugaku-hojo")
    new_years_eve = dt.date(dt.date.today().year, 12, 31)
    if new_years_eve <= dt.date.today():
        new_years_eve = new_years_eve.replace(year=new_years_eve.year + 1)
    treasury.locator("#f-date").fill(new_years_eve.isoformat())
    submit(treasury, "main form[method=get] button[type=submit]")
    expect(treasury.locator("#error-summary")).to_contain_text("銀行の休業日")
    assert_accessible(treasury, "transfer page with a holiday")
    day = zt.next_business_day(dt.date.today() + dt.timedelta(days=2))
    treasury.locator("#f-date").fill(day.isoformat())
    submit(treasury, "main form[method=get] button[type=submit]")
    expect(treasury.locator("main table").first).to_contain_text(application.receipt_number)
    submit(treasury, "form[action$='/transfers/export/'] button[type=submit]")
    expect(treasury.locator("main h1")).to_contain_text("振込データ")
    assert_accessible(treasury, "transfer file")
    with treasury.expect_download() as download:
        treasury.locator("a[href$='/zengin/']").click()
    parsed = zt.parse_file(Path(download.value.path()).read_bytes())
    assert parsed.data[0]["amount"] == "0000030000"
    assert parsed.header["payment_date"] == f"{day:%m%d}"
