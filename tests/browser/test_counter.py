"""The counter visit (書かない窓口) in a real browser, JavaScript off for the clerk's screens:
walk-in → new resident → life event → procedures → one interview → the resident's screen in a
second window → send → summary sheet, with axe-core on every counter page."""

from __future__ import annotations

import re

import pytest
from browser_support import fill_form_page, sign_in, submit, text_without_ruby
from playwright.sync_api import expect

from madoguchi.applications.models import Application, Channel
from madoguchi.catalog.models import LifeEvent, NavigatorRule, Procedure
from madoguchi.counter.models import Visit
from madoguchi.counter.tests.conftest import EVENT, FORMS, interview_post
from madoguchi.demo.city import DEMO_PASSWORD, staff_email
from madoguchi.registry.plugins import registry_connectors

pytestmark = pytest.mark.browser


def test_a_walk_in_visit_end_to_end(new_page, assert_accessible, settings) -> None:
    # No registry connected (the file import switched off): the clerk types the resident once.
    settings.MADOGUCHI_DISABLED_PLUGINS = {registry_connectors.name: ["file_import"]}
    NavigatorRule.objects.get_or_create(
        event=LifeEvent.objects.get(slug=EVENT),
        procedure=Procedure.objects.get(slug="kenko-kyoshitsu"),
        defaults={"why": {"ja": "健康教室のご案内", "en": "The health class"}})
    clerk = new_page(js=False)
    sign_in(clerk, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    clerk.goto("/staff/counter/")
    expect(clerk.locator("h1")).to_have_text("窓口対応")
    assert_accessible(clerk, "counter start")
    submit(clerk, "main button:text-is('番号札のない方の対応を始める')")
    expect(clerk.locator(".notice").first).to_contain_text("住民記録に接続していない")
    assert_accessible(clerk, "identify")

    clerk.get_by_role("link", name="新しい住民（市外からの転入）：情報を一度だけ入力する").click()
    fill_form_page(clerk, {
        "applicant_name-family": "緑川", "applicant_name-given": "太郎",
        "applicant_name-family_kana": "みどりかわ", "applicant_name-given_kana": "たろう",
        "applicant_birth_date": "昭和55年4月1日", "applicant_sex": "male",
        "applicant_address-postal_code": "999-0101", "applicant_address-prefecture": "緑ヶ丘県",
        "applicant_address-city": "緑ヶ丘市", "applicant_address-town": "北山",
        "applicant_address-street": "1234番地5"})
    assert_accessible(clerk, "new resident")
    submit(clerk, "main form button[accesskey=n]")

    expect(clerk.locator("h1")).to_have_text("できごと")
    assert_accessible(clerk, "life events")
    fill_form_page(clerk, {"event": [EVENT], f"{EVENT}-date": "令和8年4月1日",
                  f"{EVENT}-high_school": "yes", f"{EVENT}-help_costs": "no"})
    submit(clerk, "main button:text-is('手続きを表示する')")

    expect(clerk.locator("h1")).to_have_text("必要な手続き")
    assert_accessible(clerk, "procedures")
    for slug in FORMS:
        expect(clerk.locator(f'input[name="form"][value="{slug}"]')).to_be_checked()
    submit(clerk, "main button:text-is('聞き取りを始める')")

    expect(clerk.locator("h1")).to_have_text("聞き取り")
    expect(clerk.locator('[name="c_applicant_name-family"]')).to_have_value("緑川")
    assert_accessible(clerk, "interview")
    visit = Visit.objects.get()
    fill_form_page(clerk, interview_post(visit))
    submit(clerk, "main form.counter-form > button:text-is('回答を保存する')")

    expect(clerk.locator("h1")).to_contain_text("窓口対応")
    assert_accessible(clerk, "visit")
    screen_url = clerk.locator("main a[target=counter-screen]").get_attribute("href")
    resident = new_page(js=False)
    resident.goto(screen_url)
    # The demo city shows ふりがな on this screen: the heading's words, without the readings.
    expect(resident.get_by_role("heading", level=1)).to_have_accessible_name(
        re.compile(r"申請\s*の\s*内容\s*をご\s*確認\s*ください"))
    assert "緑川" in text_without_ruby(resident.locator("main"))
    assert_accessible(resident, "resident screen")
    submit(resident, "main button.button--large")
    expect(resident.locator(".counter-screen__done")).to_be_visible()
    assert "ご確認ありがとうございました" in text_without_ruby(
        resident.locator(".counter-screen__done"))

    clerk.reload()
    submit(clerk, "main button:text-is('すべての申請を送信する')")
    expect(clerk.locator("h1")).to_contain_text("本日の手続き")
    made = Application.objects.filter(channel=Channel.COUNTER)
    assert made.count() == 2
    for application in made:
        expect(clerk.locator("main")).to_contain_text(application.receipt_number)
    assert_accessible(clerk, "summary")
