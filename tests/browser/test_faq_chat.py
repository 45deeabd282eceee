"""The chat panel answers from the FAQ; "it did not help" becomes an inquiry (問い合わせ) that the
department answers from the back office, and the resident reads the answer on the my page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import screenshot_both, scroll_width, sign_in, submit
from playwright.sync_api import expect

from madoguchi.core.models import AuditEvent, MailboxMessage
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.faq.models import ChatQuestion, Inquiry

pytestmark = pytest.mark.browser

QUESTION = "児童手当はいつもらえますか"


def click(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_chat_escalates_to_an_inquiry_answered_by_staff(new_page, assert_accessible,
                                                         artifacts_dir: Path):
    # The panel on the home page answers in place (JavaScript on), with no page load.
    resident = new_page(width=320, height=640)
    resident.goto("/")
    panel = resident.locator("aside.chat-panel")
    panel.locator("summary").click()
    panel.locator("input[name=q]").fill(QUESTION)
    url_before = resident.url
    panel.locator("button[type=submit]").click()
    answers = panel.locator("[data-chat-answers]")
    expect(answers.locator(".chat-answer").first).to_contain_text("児童手当")
    assert resident.url == url_before
    assert scroll_width(resident) <= 320
    assert_accessible(resident, "home page with chat answers in the panel")
    screenshot_both(resident, artifacts_dir, "faq-chat-panel")
    asked = ChatQuestion.objects.get(text=QUESTION)

    # 「役に立たなかった」 -> sign in -> the inquiry form, question kept, department chosen.
    click(resident, "aside.chat-panel .chat-answer button[value=no]")
    assert urlsplit(resident.url).path == "/account/login/"
    resident.locator("#id_email").fill(DEMO_RESIDENT_EMAIL)
    resident.locator("#id_password").fill(DEMO_PASSWORD)
    submit(resident)
    assert urlsplit(resident.url).path == "/my/inquiries/new/"
    expect(resident.locator("#id_body")).to_have_value(QUESTION)
    expect(resident.locator("input[name=department][value=kosodate]")).to_be_checked()
    asked.refresh_from_db()
    assert asked.helpful is False

    # A mistake first: the error summary and the message by the field.
    resident.locator("#id_subject").fill("")
    submit(resident, "main form button[type=submit]")
    expect(resident.locator(".error-summary")).to_contain_text("件名を入力してください")
    assert resident.title().startswith("エラー：")
    assert_accessible(resident, "inquiry form with errors")
    resident.locator("#id_subject").fill("児童手当の支給日")
    resident.locator("#id_body").fill("4月に転入しました。最初の振込はいつですか。")
    submit(resident, "main form button[type=submit]")
    inquiry = Inquiry.objects.get(subject="児童手当の支給日")
    assert inquiry.department.code == "kosodate" and inquiry.chat_question_id == asked.pk
    assert urlsplit(resident.url).path == f"/my/inquiries/{inquiry.public_id}/"
    expect(resident.locator("main")).to_contain_text("市の回答待ち")

    # The department answers from the back office.
    clerk = new_page()
    sign_in(clerk, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    clerk.goto("/staff/faq/inquiries/")
    assert_accessible(clerk, "inquiries inbox")
    click(clerk, f"main a[href='/staff/faq/inquiries/{inquiry.public_id}/']")
    expect(clerk.locator("main")).to_contain_text("最初の振込はいつですか")
    assert AuditEvent.objects.filter(action="inquiry.view.staff",
                                     target_id=str(inquiry.public_id)).exists()
    assert_accessible(clerk, "inquiry in the back office")
    clerk.locator("#id_body").fill("4月分と5月分は6月に振り込みます。")
    click(clerk, "main form[action$='/reply/'] button")
    expect(clerk.locator(".notice--success")).to_be_visible()
    screenshot_both(clerk, artifacts_dir, "faq-staff-inquiry")
    inquiry.refresh_from_db()
    assert inquiry.status == "answered"

    # The resident is notified, follows the link and reads the answer on the my page.
    mails = list(MailboxMessage.objects.filter(to=DEMO_RESIDENT_EMAIL,
                                               subject__contains="お問い合わせ"))
    assert len(mails) == 1, [m.subject for m in mails]
    mail = mails[0]
    assert "子育て支援課から回答がありました" in mail.subject
    link = re.search(r"https?://\S+/my/inquiries/[0-9a-f-]{36}/", mail.body)
    assert link, mail.body
    resident.goto(urlsplit(link[0]).path)
    expect(resident.locator(".thread__message--staff")).to_contain_text("6月に振り込みます")
    expect(resident.locator("main")).to_contain_text("回答あり")
    assert_accessible(resident, "inquiry thread with the answer")
    screenshot_both(resident, artifacts_dir, "faq-resident-thread")
    resident.goto("/my/inquiries/")
    expect(resident.locator("main")).to_contain_text("児童手当の支給日")
    assert_accessible(resident, "my inquiries")


def test_chat_without_javascript(nojs_page, assert_accessible, artifacts_dir: Path):
    nojs_page.goto("/procedures/juminhyo/")
    panel = nojs_page.locator("aside.chat-panel")
    panel.locator("summary").click()
    panel.locator("input[name=q]").fill("住民票をコンビニで取りたい")
    click(nojs_page, "aside.chat-panel button[type=submit]")
    assert urlsplit(nojs_page.url).path == "/chat/"
    expect(nojs_page.locator("main .chat-answer").first).to_contain_text("コンビニ")
    expect(nojs_page.locator("main")).to_contain_text("役に立った")
    assert_accessible(nojs_page, "chat page without JavaScript")
    screenshot_both(nojs_page, artifacts_dir, "faq-chat-nojs")
    click(nojs_page, "main .chat-answer button[value=yes]")
    expect(nojs_page.locator(".notice--success")).to_contain_text("ありがとうございました")
    nojs_page.goto("/faq/")
    expect(nojs_page.locator("main h2").first).to_contain_text("市民課")
    assert_accessible(nojs_page, "FAQ index")
    click(nojs_page, "main .chat-links a")
    assert re.fullmatch(r"/faq/\d+/", urlsplit(nojs_page.url).path)
    assert_accessible(nojs_page, "FAQ entry")


def test_staff_faq_and_unanswered_questions(new_page, assert_accessible, artifacts_dir: Path):
    visitor = new_page()
    visitor.goto("/chat/?q=" + "ペットの火葬はできますか")
    expect(visitor.locator("main")).to_contain_text("見つかりませんでした")
    clerk = new_page()
    sign_in(clerk, staff_email("shimin1"), DEMO_PASSWORD, staff=True)
    clerk.goto("/staff/faq/unanswered/")
    expect(clerk.locator("main")).to_contain_text("ペットの火葬はできますか")
    assert_accessible(clerk, "unanswered questions")
    click(clerk, "main tr:has-text('ペットの火葬') button")
    assert re.fullmatch(r"/staff/faq/\d+/", urlsplit(clerk.url).path)
    assert_accessible(clerk, "FAQ draft")
    clerk.locator("#id_answer_ja").fill("市では行っていません。民間の事業者にご相談ください。")
    clerk.locator("#id_is_published").check()
    click(clerk, "main form button[type=submit]")
    expect(clerk.locator("main table")).to_contain_text("ペットの火葬はできますか")
    assert_accessible(clerk, "FAQ list")
    screenshot_both(clerk, artifacts_dir, "faq-staff-list")
    visitor.goto("/chat/?q=" + "ペットの火葬")
    expect(visitor.locator("main .chat-answer").first).to_contain_text("民間の事業者")


def test_panel_script_runs_under_the_content_security_policy(new_page):
    page = new_page(bypass_csp=False, width=320, height=640)
    page.goto("/procedures/inkan/")
    panel = page.locator("aside.chat-panel")
    panel.locator("summary").click()
    panel.locator("input[name=q]").fill("印鑑登録証をなくした")
    panel.locator("input[name=q]").press("Enter")
    expect(panel.locator(".chat-answer").first).to_contain_text("印鑑登録証")
    assert urlsplit(page.url).path == "/procedures/inkan/"
    assert page.madoguchi_console.csp_violations() == []
    assert page.madoguchi_console.errors == []


def test_a_question_nothing_answers_says_so_and_leads_to_the_general_counter(
        new_page, assert_accessible, artifacts_dir: Path):
    from madoguchi.faq.selectors import general_counter

    general = general_counter()
    page = new_page(width=320, height=640)
    page.goto("/")
    panel = page.locator("aside.chat-panel")
    panel.locator("summary").click()
    panel.locator("input[name=q]").fill("庁舎の駐車場に電気自動車の充電器はありますか")
    panel.locator("button[type=submit]").click()
    notice = panel.locator(".chat-none")
    expect(notice).to_contain_text("お探しの答えが見つかりませんでした")
    expect(notice).to_contain_text(general.phone)
    expect(panel.locator(".chat-answer")).to_have_count(0)
    assert scroll_width(page) <= 320
    assert_accessible(page, "chat panel without an answer")
    screenshot_both(page, artifacts_dir, "faq-chat-no-answer")
    click(page, "aside.chat-panel .chat-none a[href^='/my/inquiries/new/']")
    page.locator("#id_email").fill(DEMO_RESIDENT_EMAIL)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    submit(page)
    assert urlsplit(page.url).path == "/my/inquiries/new/"
    expect(page.locator("input[name=department][value=unknown]")).to_be_checked()
    submit(page, "main form button[type=submit]")
    inquiry = Inquiry.objects.get(subject__startswith="庁舎の駐車場")
    assert inquiry.department == general
