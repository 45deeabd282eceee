"""A clerk who joined today builds a form for a procedure the demo never put online, links it,
publishes it through the publish check, and a resident finds the apply button on the procedure
page and applies; unpublishing takes the button away again.

The builder is driven with words and choices only: 「18歳以上」 for a date, a condition whose
value is one of the field's own options, the palette left open between fields. Screenshots of
the builder pages (320 px and desktop) go to test-artifacts/screenshots.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import RECEIPT_RE, screenshot_both, scroll_width, sign_in, submit
from playwright.sync_api import expect
from test_form_builder import NEW_CLERK, new_clerk

from madoguchi.applications.models import Application
from madoguchi.catalog.models import Procedure
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL
from madoguchi.forms.models import FormDefinition

pytestmark = pytest.mark.browser

PROCEDURE = "hoikusho"  # 保育所等の入所申込み: no form and not online in the demo
TITLE = "保育所の入所申込み"


def path_of(page) -> str:
    return urlsplit(page.url).path


def click(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def palette(page, number: int = 1):
    return page.locator("main section.builder-page").nth(number - 1).locator(
        "details.builder-palette")


def add_field(page, entry: str, label: str, number: int = 1) -> None:
    """Add a field from the palette of page ``number`` and type its label (the palette must
    already be open: after the first field it stays open)."""
    click(page, f"main section.builder-page >> nth={number - 1} >> "
                f"button[name=entry][value={entry}]")
    assert "/fields/" in page.url, page.url
    page.locator("#f-label_ja").fill(label)


def save_field(page) -> None:
    click(page, "main form button[type=submit].button--large")
    assert path_of(page).startswith("/staff/forms/"), page.url


def test_a_new_clerk_publishes_a_form_residents_then_find_and_use(
    new_page, assert_accessible, artifacts_dir: Path
):
    procedure = Procedure.objects.get(slug=PROCEDURE)
    assert not procedure.online and getattr(procedure, "form", None) is None
    new_clerk()
    page = new_page()
    sign_in(page, NEW_CLERK, DEMO_PASSWORD, staff=True)

    # A blank form; the English title is left empty and nothing copies the Japanese into it.
    page.goto("/staff/forms/new/")
    page.locator("#f-title_ja").fill(TITLE)
    click(page, "main form button[type=submit]")
    form = FormDefinition.objects.get(draft__title__ja=TITLE)
    assert form.draft["title"] == {"ja": TITLE}
    expect(page.locator("#english-missing summary")).to_contain_text("英語がまだない文が1個")

    # The palette of an empty page is open; after adding a field it is open again.
    expect(palette(page)).to_have_attribute("open", "")
    add_field(page, "name", "保護者のお名前")
    save_field(page)
    expect(palette(page)).to_have_attribute("open", "")

    # A date limited in words: 「18歳以上」.
    add_field(page, "date", "保護者の生年月日")
    page.locator("#f-date_limit-age").check()
    expect(page.locator("#f-date_age")).to_be_visible()
    expect(page.locator("#f-min_kind")).to_be_hidden()  # the range rows are for "custom"
    page.locator("#f-date_age").fill("18")
    assert_accessible(page, "edit a date field")
    screenshot_both(page, artifacts_dir, "builder-date-limits")
    save_field(page)
    date_item = page.locator("#field-date_1")
    expect(date_item).to_contain_text("18歳以上")
    expect(date_item).not_to_contain_text("date_1")  # labels, never keys

    add_field(page, "choice", "きょうだいが保育所に通っていますか")
    save_field(page)

    # The condition's value is chosen from the options of the field it depends on.
    add_field(page, "text", "通っているきょうだいのお名前")
    page.locator("#f-show_if_field").select_option(label="きょうだいが保育所に通っていますか")
    expect(page.locator("#f-show_if_option")).to_be_visible()
    expect(page.locator("#f-show_if_value")).to_be_hidden()
    options = page.locator("#f-show_if_option option").all_inner_texts()
    assert options[1:] == ["はい", "いいえ"], options
    page.locator("#f-show_if_option").select_option(label="はい")
    assert_accessible(page, "edit a condition")
    screenshot_both(page, artifacts_dir, "builder-condition")
    save_field(page)
    expect(page.locator("#field-text_1")).to_contain_text(
        "「きょうだいが保育所に通っていますか」が「はい」のときだけ表示")
    assert_accessible(page, "editor")
    screenshot_both(page, artifacts_dir, "builder-editor-labels")

    # Settings: the procedure it serves.
    click(page, "main a[href$='/settings/']")
    page.locator("#f-procedure").select_option(str(procedure.pk))
    page.locator("#f-applicant_field").select_option("name_1")
    click(page, "main form button[type=submit]")

    # 公開する opens the publish check: what residents will see, and where.
    click(page, "main .builder-publish a[href$='/publish/']")
    assert path_of(page) == f"/staff/forms/{form.pk}/publish/"
    check = page.locator("main")
    expect(check.locator("h1")).to_have_text("公開する前に確認してください")
    for text in (TITLE, "英語の題名はありません", "保育所等の入所申込み",
                 f"/procedures/{PROCEDURE}/", "手続きナビのチェックリスト（子どもが生まれた）",
                 "保護者のお名前", "18歳以上", "「はい」のときだけ表示",
                 "アカウントを持っている住民", f"/apply/{form.slug}/"):
        expect(check).to_contain_text(text)
    assert form.live_version is None  # nothing is published by looking
    assert_accessible(page, "publish check")
    screenshot_both(page, artifacts_dir, "builder-publish-check")
    assert scroll_width(page) <= 1280
    click(page, "main form.builder-publish button[type=submit]")
    expect(page.locator(".notice--success")).to_contain_text(
        "住民は手続き「保育所等の入所申込み」のページから申請できます")
    form.refresh_from_db()
    version = form.live_version
    assert version is not None and form.procedure_id == procedure.pk

    # A resident on a phone finds the button on the procedure page and applies.
    resident = new_page(width=320, height=640)
    sign_in(resident, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    resident.goto("/")
    card = resident.locator("main li.card").filter(
        has=resident.locator(f'a[href="/procedures/{PROCEDURE}/"]'))
    expect(card.locator(".badge--online")).to_be_visible()
    click(resident, f'main a[href="/procedures/{PROCEDURE}/"]')
    expect(resident.locator("main")).not_to_contain_text("準備中")
    click(resident, f'main a[href="/apply/{form.slug}/"]')
    assert path_of(resident) == f"/apply/{form.slug}/page_1/"
    resident.fill("[name='name_1-family']", "緑")
    resident.fill("[name='name_1-given']", "花子")
    resident.fill("[name='name_1-family_kana']", "みどり")
    resident.fill("[name='name_1-given_kana']", "はなこ")
    ten_years_ago = dt.date.today() - dt.timedelta(days=3650)
    resident.fill("[name='date_1']", ten_years_ago.isoformat())
    resident.locator("input[name='choice_1'][value='yes']").check()
    expect(resident.locator("[name='text_1']")).to_be_visible()
    resident.fill("[name='text_1']", "緑 一郎")
    submit(resident)
    expect(resident.locator(".error-summary")).to_be_visible()  # younger than 18: refused
    resident.fill("[name='date_1']", "昭和60年5月1日")
    submit(resident)
    assert path_of(resident) == f"/apply/{form.slug}/check/"
    submit(resident, "main form[data-once] button[type=submit]")
    expect(resident.locator("main")).to_contain_text(re.compile(RECEIPT_RE.pattern.strip("^$")))
    application = Application.objects.get(form_version=version)
    assert application.answers["date_1"] == "1985-05-01"
    assert application.answers["text_1"] == "緑 一郎"

    # The clerk unpublishes: the button is gone and the form's address no longer answers.
    page.goto(f"/staff/forms/{form.pk}/")
    page.locator("main details.builder-unpublish summary").click()  # asks once, names it
    expect(page.locator("main details.builder-unpublish")).to_contain_text(
        "手続き「保育所等の入所申込み」のページから「オンラインで申請する」ボタンがなくなり")
    assert_accessible(page, "editor of a published form")
    screenshot_both(page, artifacts_dir, "builder-editor-published")
    click(page, "main form[action$='/unpublish/'] button")
    expect(page.locator("main")).to_contain_text("ボタンがなくなりました")
    resident.goto(f"/procedures/{PROCEDURE}/")
    expect(resident.locator(f'main a[href="/apply/{form.slug}/"]')).to_have_count(0)
    resident.goto("/")
    expect(card.locator(".badge--online")).to_have_count(0)
    assert resident.goto(f"/apply/{form.slug}/").status == 404


def test_without_javascript_the_palette_stays_open_and_options_are_offered(
    nojs_page, assert_accessible, artifacts_dir: Path
):
    new_clerk()
    page = nojs_page
    sign_in(page, NEW_CLERK, DEMO_PASSWORD, staff=True)
    page.goto("/staff/forms/new/")
    page.locator("#f-title_ja").fill("スクリプトなしのフォーム")
    click(page, "main form button[type=submit]")
    add_field(page, "choice", "お住まいの地区")
    page.locator("#f-options").fill("北山\n南町\n東台")
    save_field(page)
    expect(palette(page)).to_have_attribute("open", "")
    add_field(page, "text", "北山の番地")
    # Every option of every earlier field with options is offered, grouped by field.
    group = page.locator("#f-show_if_option optgroup[label='お住まいの地区']")
    assert group.locator("option").all_inner_texts() == ["北山", "南町", "東台"]
    page.locator("#f-show_if_field").select_option(label="お住まいの地区")
    page.locator("#f-show_if_option").select_option(label="北山")
    assert_accessible(page, "edit a condition without JavaScript")
    save_field(page)
    expect(palette(page)).to_have_attribute("open", "")
    expect(page.locator("#field-text_1")).to_contain_text("「お住まいの地区」が「北山」のときだけ表示")
    form = FormDefinition.objects.get(draft__title__ja="スクリプトなしのフォーム")
    spec = form.draft["pages"][0]["fields"][1]
    assert spec["show_if"] == {"==": [{"var": "choice_1"}, "o1"]}

    # A range in words: from today to 300 days later (every input is shown without a script).
    add_field(page, "date", "出産予定日")
    page.locator("#f-date_limit-custom").check()
    page.locator("#f-min_kind").select_option("today")
    page.locator("#f-max_kind").select_option("days_ahead")
    page.locator("#f-max_number").fill("300")
    assert_accessible(page, "date limits without JavaScript")
    screenshot_both(page, artifacts_dir, "builder-date-limits-nojs")
    save_field(page)
    expect(page.locator("#field-date_1")).to_contain_text("今日から300日後まで")
    form.refresh_from_db()
    date = form.draft["pages"][0]["fields"][2]
    assert (date["min"], date["max"]) == ("today", "+300d")
