"""Fees paid online in the browser, with the demo provider: the clerk asks for payment after
review on the case, the resident pays on the demo page (which says it is a demo) and gets the
receipt; a payment that fails is tried again and then paid (the before-sending stage). The
status only changes by the provider's signed notification. Every page passes axe-core."""

from __future__ import annotations

import pytest
from browser_support import make_application, sign_in, submit
from playwright.sync_api import expect

from madoguchi.catalog.models import Procedure
from madoguchi.core.models import User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.issuance.signing import create_demo_ca
from madoguchi.payments import services
from madoguchi.payments.models import Charged, FeeExemption, FeeSchedule, Payment

pytestmark = pytest.mark.browser


def fee(charged: str) -> FeeSchedule:
    schedule = FeeSchedule.objects.create(procedure=Procedure.objects.get(slug="tsugaku-hojo"),
                                          per_copy=300, postage=110, charged=charged,
                                          provider="demo")
    FeeExemption.objects.create(schedule=schedule, code="seikatsu-hogo",
                                label={"ja": "生活保護受給者", "en": "Public assistance"})
    return schedule


def test_pay_after_review(new_page, assert_accessible, settings, tmp_path):
    create_demo_ca(tmp_path)  # the receipt is signed like an issued document
    settings.SIGNING_PKCS12 = str(tmp_path / "city.p12")
    settings.SIGNING_PKCS12_PASSWORD = ""
    fee(Charged.AFTER_REVIEW)
    resident_user = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    application = make_application(resident_user)

    clerk = new_page()
    sign_in(clerk, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    clerk.goto(f"/staff/applications/{application.public_id}/")
    clerk.locator("#pay-copies").fill("2")
    submit(clerk, "form[action$='/request/'] button[type=submit]")
    expect(clerk.locator("main")).to_contain_text("710")
    assert_accessible(clerk, "case with the fee requested")

    resident = new_page()
    sign_in(resident, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    resident.goto("/my/")
    expect(resident.locator("#due-title")).to_have_text("お支払いください")
    expect(resident.locator("main")).to_contain_text("710円")
    assert_accessible(resident, "my page with a payment due")
    resident.goto("/my/payments/")
    expect(resident.locator("main")).to_contain_text("お支払いください")
    expect(resident.locator("main")).to_contain_text("710円")
    assert_accessible(resident, "payments due")
    submit(resident, "main a.button")
    assert_accessible(resident, "pay page")
    submit(resident)
    expect(resident.locator("main")).to_contain_text(
        "デモ用の支払い画面です（実際の支払いは行われません）")
    assert_accessible(resident, "demo payment page")
    submit(resident, "button[value=pay]")
    expect(resident.locator("#payment-status")).to_have_text("支払済み")
    assert_accessible(resident, "paid")
    with resident.expect_download() as download:
        resident.locator("a[href$='/receipt.pdf']").click()
    assert download.value.suggested_filename.endswith(".pdf")

    clerk.goto("/staff/payments/")
    expect(clerk.locator("main table")).to_contain_text(application.receipt_number)
    assert_accessible(clerk, "payments list")


def test_pay_before_sending_after_a_failed_attempt(new_page, assert_accessible):
    fee(Charged.BEFORE_SENDING)
    resident_user = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    application = make_application(resident_user)
    payment = services.create_payment(application, copies=1)
    assert payment.stage == Charged.BEFORE_SENDING

    page = new_page()
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(f"/my/payments/{payment.public_id}/")
    submit(page)
    submit(page, "button[value=fail]")
    expect(page.locator("#payment-status")).to_have_text("失敗")
    assert_accessible(page, "failed payment")
    submit(page)  # try again: a new attempt under a new reference
    submit(page, "button[value=pay]")
    expect(page.locator("#payment-status")).to_have_text("支払済み")
    attempts = Payment.objects.filter(application=application).order_by("id")
    assert [p.status for p in attempts] == ["failed", "paid"]
