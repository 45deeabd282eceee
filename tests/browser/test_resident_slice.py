"""A resident applies for 高校生等通学費補助金 in a real browser, from search to receipt."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import (
    FORM_POST,
    RECEIPT_RE,
    SLUG,
    UUID_RE,
    fill_all_pages,
    fill_form_page,
    screenshot_both,
    scroll_width,
    sign_in,
    submit,
)
from playwright.sync_api import expect

from madoguchi.applications.models import Application
from madoguchi.applications.services import all_answers
from madoguchi.core.models import MailboxMessage, User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email

pytestmark = pytest.mark.browser

NEW_EMAIL = "hanako.midori@example.jp"
NEW_PASSWORD = "kodomo-tsugaku-2026"
ERROR_TITLE = re.compile(r"^(エラー：|Error: )")


def answer_row(page, input_id: str):
    """The check page's answer cell of the field whose change link points at ``input_id``."""
    row = page.locator(".summary__row").filter(has=page.locator(f'a[href$="#{input_id}"]'))
    return row.locator("dd").first


def path_of(page) -> str:
    return urlsplit(page.url).path


def test_new_resident_applies_without_javascript(nojs_page, assert_accessible) -> None:
    page = nojs_page

    # Home: find the procedure with the search box, typing its reading in hiragana.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    assert_accessible(page, "home")
    page.locator("#q").fill("つうがく")
    submit(page, "main form[role=search] button[type=submit]")
    assert path_of(page) == "/search/"
    assert parse_qs(urlsplit(page.url).query)["q"] == ["つうがく"]
    result = page.locator(f'main a[href="/procedures/{SLUG}/"]')
    expect(result).to_have_text("高校生等通学費補助金")
    assert_accessible(page, "search results")

    # The procedure page, then "Apply online": a new resident is asked to sign in first.
    with page.expect_navigation():
        result.click()
    expect(page.locator("h1")).to_have_text("高校生等通学費補助金")
    assert_accessible(page, "procedure")
    with page.expect_navigation():
        page.locator(f'main a[href="/apply/{SLUG}/"]').first.click()
    assert path_of(page) == "/account/login/"
    assert parse_qs(urlsplit(page.url).query)["next"] == [f"/apply/{SLUG}/"]
    assert_accessible(page, "sign-in")

    # No account yet: sign up, open the link mailed to confirm the address, and come straight
    # back to the form, signed in.
    with page.expect_navigation():
        page.locator('main a[href^="/account/signup/"]').click()
    assert path_of(page) == "/account/signup/"
    assert_accessible(page, "sign-up")
    page.locator("#id_email").fill(NEW_EMAIL)
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("#id_password_again").fill(NEW_PASSWORD)
    submit(page)
    assert path_of(page) == "/account/signup/sent/"
    expect(page.locator("main")).to_contain_text(NEW_EMAIL)
    assert_accessible(page, "sign-up: check your e-mail")
    assert User.objects.get(email=NEW_EMAIL).is_resident
    mail = MailboxMessage.objects.filter(to=NEW_EMAIL).latest("pk")
    link = re.search(r"https?://[^/\s]+(/account/confirm/\S+)", mail.body)
    assert link, mail.body
    page.goto(link[1])
    assert_accessible(page, "confirm e-mail address")
    submit(page)
    assert path_of(page) == f"/apply/{SLUG}/applicant/"
    assert_accessible(page, "form page applicant")

    # Page 1 sent empty: an error summary linking to every field, the title says "error".
    response = submit(page)
    assert response.status == 422
    assert ERROR_TITLE.match(page.title()), page.title()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    links = summary.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [
        "#f-applicant_name-family", "#f-relationship-0", "#f-phone", "#f-address-postal_code",
    ]
    for key, href in zip(
        ["applicant_name", "relationship", "phone", "address"], hrefs, strict=True
    ):
        expect(page.locator(href)).to_have_count(1)
        error = page.locator(f"#f-{key}-error")
        expect(error).to_be_visible()
        # The message is tied to its field (the input itself, or the fieldset around it).
        described = page.locator(f'[aria-describedby~="f-{key}-error"]')
        expect(described).to_have_count(1)
    assert_accessible(page, "form page applicant with errors")
    links.first.click()
    expect(page).to_have_url(re.compile(r"#f-applicant_name-family$"))

    # A wrong postal code: only that error, and everything typed is kept.
    fill_form_page(page, {**FORM_POST["applicant"], "address-postal_code": "１２３４"})
    response = submit(page)
    assert response.status == 422
    expect(page.locator("#error-summary a")).to_have_count(1)
    expect(page.locator("#error-summary a")).to_have_attribute("href", "#f-address-postal_code")
    expect(page.locator("#f-address-postal_code")).to_have_value("１２３４")
    expect(page.locator("#f-address-street")).to_have_value("1234番地5")
    expect(page.locator("#f-address-building")).to_have_value("緑ヶ丘ハイツ101")
    expect(page.locator("#f-phone")).to_have_value("０９０－１２３４－５６７８")
    expect(page.locator("#f-applicant_name-given_kana")).to_have_value("はなこ")
    expect(page.locator("#f-relationship-1")).to_be_checked()

    # Every page answered (full-width digits, hiragana furigana, a 和暦 date).
    fill_all_pages(
        page,
        check_each=lambda p, key: key != "applicant" and assert_accessible(p, f"form page {key}"),
    )

    # Check your answers: normalised values, the date in 和暦 with the Western year.
    assert_accessible(page, "check")
    expect(answer_row(page, "f-student_birth_date")).to_have_text("平成21年（2009年）4月2日")
    expect(answer_row(page, "f-phone")).to_have_text("090-1234-5678")
    expect(answer_row(page, "f-address-postal_code")).to_have_text(
        "〒999-0101 緑ヶ丘県緑ヶ丘市北山1234番地5　緑ヶ丘ハイツ101"
    )
    expect(answer_row(page, "f-applicant_name-family")).to_contain_text("ミドリ")
    expect(answer_row(page, "f-applicant_name-family")).to_contain_text("ハナコ")
    expect(answer_row(page, "f-monthly_pass_cost")).to_contain_text("12,000")
    expect(answer_row(page, "f-payment_account-bank_code")).to_have_text(
        re.compile(r"^みずほ銀行 銀座 普通 0123456 ﾐﾄﾞﾘ ﾊﾅｺ$"))

    # One change link: back to the student page, then straight back to the check page.
    with page.expect_navigation():
        page.locator(f'a[href="/apply/{SLUG}/student/?return=check#f-school_name"]').click()
    assert path_of(page) == f"/apply/{SLUG}/student/"
    expect(page.locator("#f-school_name")).to_have_value(FORM_POST["student"]["school_name"])
    page.locator("#f-school_name").fill("緑ヶ丘県立緑ヶ丘東高等学校")
    submit(page)
    assert path_of(page) == f"/apply/{SLUG}/check/"
    expect(answer_row(page, "f-school_name")).to_have_text("緑ヶ丘県立緑ヶ丘東高等学校")
    expect(answer_row(page, "f-student_birth_date")).to_have_text("平成21年（2009年）4月2日")

    # Send: a receipt number in the confirmation panel.
    submit(page)
    match = re.fullmatch(rf"/my/applications/({UUID_RE})/submitted/", path_of(page))
    assert match, page.url
    receipt = page.locator(".panel-receipt__number").inner_text().strip()
    assert RECEIPT_RE.match(receipt), receipt
    assert_accessible(page, "submitted")

    application = Application.objects.get(receipt_number=receipt)
    assert str(application.public_id) == match[1]
    assert application.applicant.email == NEW_EMAIL
    assert application.status == "received"
    answers = all_answers(application)
    assert answers["phone"] == "09012345678"
    assert answers["address"] == {
        "postal_code": "9990101", "prefecture": "緑ヶ丘県", "city": "緑ヶ丘市", "town": "北山",
        "street": "1234番地5", "building": "緑ヶ丘ハイツ101",
    }
    assert answers["student_birth_date"] == "2009-04-02"
    assert answers["applicant_name"]["family_kana"] == "ミドリ"
    assert answers["student_name"]["given_kana"] == "イチロウ"
    assert answers["monthly_pass_cost"] == 12000
    assert answers["school_name"] == "緑ヶ丘県立緑ヶ丘東高等学校"
    assert answers["payment_account"]["bank_code"] == "0001"
    assert answers["payment_account"]["branch_code"] == "035"
    assert answers["payment_account"]["number"] == "0123456"
    assert answers["payment_account"]["holder"].startswith("ﾐﾄﾞﾘ")
    assert "payment_account" not in application.answers  # sensitive answers are sealed

    # The confirmation e-mail carries the receipt number.
    mails = MailboxMessage.objects.filter(to=NEW_EMAIL)
    assert any(receipt in m.body or receipt in m.subject for m in mails), list(mails)

    # My page lists it as received; its page shows the status.
    with page.expect_navigation():
        page.locator('main a[href="/my/"]').click()
    card = page.locator(".card").filter(has_text=receipt)
    expect(card).to_have_count(1)
    expect(card.locator(".status")).to_have_class(re.compile(r"\bstatus--received\b"))
    assert card.locator(".status").inner_text().strip() in {"受付", "Received"}
    assert_accessible(page, "my page")
    with page.expect_navigation():
        card.locator(f'a[href="/my/applications/{application.public_id}/"]').click()
    expect(page.locator("main")).to_contain_text(receipt)
    expect(page.locator("main .summary .status")).to_have_class(
        re.compile(r"\bstatus--received\b")
    )
    assert_accessible(page, "application detail")


def test_double_click_on_send_makes_one_application(new_page) -> None:
    # The site's own CSP stays in force here: madoguchi.js must load and run under it.
    page = new_page(bypass_csp=False)
    response = sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    assert path_of(page) == "/my/"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(f"/apply/{SLUG}/")
    fill_all_pages(page)
    button = page.locator("main form button[type=submit]")

    # First, the script: while a submit is on its way, further clicks send nothing. The
    # intercepted submit is answered "204 No Content", so the browser stays on this page.
    posts: list[str] = []

    def no_content(route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.url)
        route.fulfill(status=204)

    page.route(f"**/apply/{SLUG}/check/", no_content)
    button.dblclick()
    expect(button).to_have_attribute("aria-disabled", "true")
    button.click(force=True)  # an impatient third click
    page.wait_for_timeout(300)  # time for another submission to reach the network, if any
    assert len(posts) == 1, f"{len(posts)} submissions left the browser"
    page.unroute(f"**/apply/{SLUG}/check/")

    # Then for real: a double click makes exactly one application.
    page.reload()
    before = Application.objects.count()
    with page.expect_navigation(url=re.compile(r"/submitted/$")):
        button.dblclick()
    assert Application.objects.count() == before + 1
    expect(page.locator(".panel-receipt__number")).to_have_text(RECEIPT_RE)

    log = page.madoguchi_console
    assert log.csp_violations() == [], log.csp_violations()
    assert log.errors == [], log.errors


def test_small_screen_and_screenshots(new_page, artifacts_dir) -> None:
    page = new_page(width=320, height=640)

    def fits(name: str) -> None:
        width = scroll_width(page)
        assert width <= 320, f"{name} scrolls sideways at 320 px: {width} px wide"

    page.goto("/")
    fits("home")
    screenshot_both(page, artifacts_dir, "01-home")
    page.goto(f"/procedures/{SLUG}/")
    fits("procedure")
    screenshot_both(page, artifacts_dir, "02-procedure")

    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(f"/apply/{SLUG}/")
    fits("form page")
    assert submit(page).status == 422
    fits("form page with errors")
    screenshot_both(page, artifacts_dir, "03-form-errors")
    fill_all_pages(page)
    fits("check page")
    screenshot_both(page, artifacts_dir, "04-check")
    submit(page)
    fits("submitted page")
    screenshot_both(page, artifacts_dir, "05-submitted")

    staff = new_page()
    sign_in(staff, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    assert path_of(staff) == "/staff/"
    screenshot_both(staff, artifacts_dir, "06-staff-inbox")
    with staff.expect_navigation():
        staff.locator('main a[href^="/staff/applications/"]').first.click()
    screenshot_both(staff, artifacts_dir, "07-staff-case")
    for n in range(1, 8):
        assert len(list(artifacts_dir.glob(f"0{n}-*.png"))) == 2
