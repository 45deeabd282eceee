"""After sending: the browser's Back button shows that the application was already sent, with
its receipt number and a link to it, instead of an empty first page; sending again makes
nothing new."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_support import RECEIPT_RE, SLUG, fill_all_pages, fill_form_page, sign_in, submit
from playwright.sync_api import expect

from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL

pytestmark = pytest.mark.browser

SENT = "この申請はすでに送信されました"


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_back_after_sending_shows_the_receipt(new_page, assert_accessible, js) -> None:
    from madoguchi.applications.models import Application, Draft

    page = new_page(js=js)
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(f"/apply/{SLUG}/")
    fill_all_pages(page)
    submit(page)
    receipt = page.locator(".panel-receipt__number").inner_text().strip()
    assert RECEIPT_RE.match(receipt), receipt
    sent_url = page.url

    page.go_back()
    assert urlsplit(page.url).path == f"/apply/{SLUG}/check/"
    expect(page.locator("h1")).to_have_text(SENT)
    expect(page.locator(".panel-receipt__number")).to_have_text(receipt)
    application = Application.objects.get(receipt_number=receipt)
    link = page.locator(f'main a[href="/my/applications/{application.public_id}/"]')
    expect(link).to_be_visible()
    assert_accessible(page, "already sent")

    # Back once more: the last form page, again not an empty form.
    page.go_back()
    assert urlsplit(page.url).path == f"/apply/{SLUG}/consent/"
    expect(page.locator("h1")).to_have_text(SENT)

    # Forward to the receipt, then the link from the page shows the application.
    page.go_forward()
    page.go_forward()
    assert page.url == sent_url
    page.go_back()
    with page.expect_navigation():
        page.locator(f'main a[href="/my/applications/{application.public_id}/"]').click()
    expect(page.locator("main")).to_contain_text(receipt)
    assert Application.objects.count() == 1
    assert not Draft.objects.exists()


def test_a_visitor_going_back_after_sending_sees_the_receipt(new_page) -> None:
    """The 健康づくり教室 form works without an account: its pages are not kept by the browser
    either, so Back shows that it was sent."""
    from madoguchi.applications.models import Application

    page = new_page()
    page.goto("/apply/event-moshikomi/")
    expect(page.locator(".progress")).to_contain_text("健康づくり教室の参加申込")
    fill_form_page(page, {
        "participant_name-family": "川田", "participant_name-given": "花子",
        "participant_name-family_kana": "かわだ", "participant_name-given_kana": "はなこ",
        "email": "hanako@example.jp", "email-confirm": "hanako@example.jp", "participants": "1"})
    submit(page)
    page.locator('input[name="sessions"]').first.check()
    page.locator('input[name="childcare"][value="no"]').check()
    submit(page)
    page.locator('input[name="consent"]').check()
    submit(page)
    assert urlsplit(page.url).path == "/apply/event-moshikomi/check/"
    submit(page)
    receipt = page.locator(".panel-receipt__number").inner_text().strip()

    page.go_back()
    expect(page.locator("h1")).to_have_text(SENT)
    expect(page.locator(".panel-receipt__number")).to_have_text(receipt)
    application = Application.objects.get(receipt_number=receipt)
    expect(page.locator(f'main a[href="/apply/received/{application.public_id}/"]')).to_be_visible()
    # Sending the check page again from here is not possible; a new application starts anew.
    with page.expect_navigation():
        page.locator('main a[href="/apply/event-moshikomi/"]').click()
    assert urlsplit(page.url).path == "/apply/event-moshikomi/participant/"
    expect(page.locator("#f-email")).to_have_value("")
    assert Application.objects.count() == 1
