"""A clerk of 子育て支援課 handles a resident's application; who may see it; the language switch."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from browser_support import SLUG, make_application, sign_in, submit
from playwright.sync_api import expect

from madoguchi.applications.models import Application
from madoguchi.core.models import AuditEvent, MailboxMessage, User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email

pytestmark = pytest.mark.browser

CLERK = staff_email("kosodate1")
REASON = "生徒の住所が補助の対象地区（北山・東原・西谷）ではないため。"


@pytest.fixture
def application() -> Application:
    return make_application(User.objects.get(email=DEMO_RESIDENT_EMAIL))


def path_of(page) -> str:
    return urlsplit(page.url).path


def case_path(application: Application) -> str:
    return f"/staff/applications/{application.public_id}/"


def open_case(page, application: Application, email: str = CLERK, on_inbox=None) -> None:
    """Sign in as staff, find the application in the inbox and open it."""
    sign_in(page, email, DEMO_PASSWORD, staff=True)
    assert path_of(page) == "/staff/"
    if on_inbox is not None:
        on_inbox(page)
    link = page.locator(f'main table a[href="{case_path(application)}"]')
    expect(link).to_have_text(application.receipt_number)
    with page.expect_navigation():
        link.click()
    assert path_of(page) == case_path(application)


def change_status(page, to_status: str, reason: str | None = None) -> None:
    form = page.locator(f'main form:has(input[name="to_status"][value="{to_status}"])')
    if reason is not None:
        form.locator('textarea[name="reason"]').fill(reason)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def shown_status(page):
    """The status badge in the case's (or the resident's application page's) summary."""
    return page.locator("main .summary .status").first


def status_class(status: str) -> re.Pattern[str]:
    return re.compile(rf"\bstatus--{status}\b")


def resident_sees(new_page, application: Application):
    """The resident's own page of the application, signed in in a separate browser."""
    page = new_page()
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(f"/my/applications/{application.public_id}/")
    return page


def test_clerk_rejects_with_a_reason_and_the_resident_sees_it(
    new_page, application, assert_accessible
) -> None:
    staff = new_page()
    open_case(staff, application, on_inbox=lambda p: assert_accessible(p, "staff inbox"))
    assert AuditEvent.objects.filter(
        action="application.view.staff",
        target_id=str(application.public_id),
        actor__email=CLERK,
    ).count() == 1
    expect(shown_status(staff)).to_have_class(status_class("received"))
    expect(staff.locator("main")).to_contain_text("緑ヶ丘県立緑ヶ丘高等学校")  # the answers
    assert_accessible(staff, "staff case")

    change_status(staff, "under_review")
    expect(staff.locator("main .notice--success")).to_be_visible()
    expect(shown_status(staff)).to_have_class(status_class("under_review"))
    application.refresh_from_db()
    assert application.status == "under_review"

    # Rejecting without a reason is refused with a message; nothing changes.
    change_status(staff, "rejected", reason="")
    expect(staff.locator('main .notice--error[role="alert"]')).to_be_visible()
    expect(shown_status(staff)).to_have_class(status_class("under_review"))
    application.refresh_from_db()
    assert application.status == "under_review"
    assert application.status_reason == ""

    change_status(staff, "rejected", reason=REASON)
    expect(shown_status(staff)).to_have_class(status_class("rejected"))
    expect(staff.locator("main .timeline")).to_contain_text(REASON)
    expect(staff.locator('main input[name="to_status"]')).to_have_count(0)  # final status
    application.refresh_from_db()
    assert application.status == "rejected"
    assert application.status_reason == REASON
    assert [(e.from_status, e.to_status) for e in application.events.all()] == [
        ("", "received"), ("received", "under_review"), ("under_review", "rejected"),
    ]
    assert all(e.actor.email == CLERK for e in application.events.all()[1:])
    assert any(REASON in m.body for m in MailboxMessage.objects.filter(to=DEMO_RESIDENT_EMAIL))

    resident = resident_sees(new_page, application)
    expect(shown_status(resident)).to_have_class(status_class("rejected"))
    assert shown_status(resident).inner_text().strip() in {"却下", "Rejected"}
    expect(resident.locator("main .notice--error")).to_contain_text(REASON)
    assert_accessible(resident, "resident application page, rejected")


def test_clerk_approves_and_the_resident_sees_it(new_page, application) -> None:
    staff = new_page()
    open_case(staff, application)
    change_status(staff, "under_review")
    change_status(staff, "approved")
    expect(shown_status(staff)).to_have_class(status_class("approved"))
    application.refresh_from_db()
    assert application.status == "approved"

    resident = resident_sees(new_page, application)
    expect(shown_status(resident)).to_have_class(status_class("approved"))
    expect(resident.locator("main .notice--error")).to_have_count(0)


def test_other_department_neither_lists_nor_opens_it(new_page, application) -> None:
    page = new_page()
    sign_in(page, staff_email("shimin1"), DEMO_PASSWORD, staff=True)
    assert path_of(page) == "/staff/"
    expect(page.locator("main table")).to_be_visible()
    expect(page.locator(f'a[href="{case_path(application)}"]')).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(application.receipt_number)

    response = page.goto(case_path(application))
    assert response.status == 404
    assert not AuditEvent.objects.filter(
        action="application.view.staff", target_id=str(application.public_id)
    ).exists()


def test_resident_account_cannot_sign_in_as_staff(page) -> None:
    response = sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD, staff=True)
    assert response.status == 200
    assert path_of(page) == "/staff/login/"
    expect(page.locator("#error-summary")).to_be_visible()

    response = page.goto("/staff/")
    assert path_of(page) == "/staff/login/"  # still signed out: sent back to sign in
    assert response.status == 200

    # The same password does work on the residents' sign-in page (the refusal was the realm).
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    assert path_of(page) == "/my/"


def test_language_switch_to_english_persists(page, assert_accessible) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.locator("header .lang-switch summary").click()
    english = 'header button[name=language][value="en"]'
    expect(page.locator(english)).to_have_text("English")

    submit(page, english)
    assert path_of(page) == "/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Procedures you can do online or at the counter")
    expect(page.locator('header button[aria-current="true"]')).to_have_text("English")
    assert_accessible(page, "home in English")

    # The choice is remembered on the next page.
    page.goto(f"/procedures/{SLUG}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("High-school commuting subsidy")
    expect(page.locator(f'main a[href="/apply/{SLUG}/"]').first).to_have_text("Apply online")

    page.locator("header .lang-switch summary").click()
    submit(page, 'header button[name=language][value="ja"]')
    assert path_of(page) == f"/procedures/{SLUG}/"
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_have_text("高校生等通学費補助金")
