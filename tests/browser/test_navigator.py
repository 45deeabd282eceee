"""手続きナビ in a real browser: a birth without JavaScript, moving in with errors first, the
print view on A4, small screens, and staff changing a rule that residents then see."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import screenshot_both, scroll_width, sign_in, submit
from django.utils import timezone, translation
from playwright.sync_api import expect

from madoguchi.catalog import navigator
from madoguchi.catalog.templatetags.navi_tags import deadline_date
from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email

pytestmark = pytest.mark.browser


def shown(day: dt.date) -> str:
    with translation.override("ja"):
        return deadline_date(day)


def titles(page) -> list[str]:
    return [re.sub(r"^\d+\.\s*", "", t)
            for t in page.locator(".navi-item__title").all_inner_texts()]


def test_birth_without_javascript(nojs_page, assert_accessible, artifacts_dir: Path):
    page = nojs_page
    today = timezone.localdate()
    born = today - dt.timedelta(days=3)
    page.goto("/navi/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "navigator home")
    screenshot_both(page, artifacts_dir, "navi-00-home")
    with page.expect_navigation():
        page.get_by_role("link", name="子どもが生まれた").click()
    assert urlsplit(page.url).path == "/navi/birth/"
    assert_accessible(page, "birth questions")
    page.locator("#navi-date").fill(f"令和{born.year - 2018}年{born.month}月{born.day}日")
    page.locator("#navi-born_abroad-no").check()
    page.locator("#navi-kokuho").check()  # yes
    page.locator("#navi-daycare-no").check()
    response = submit(page)
    assert response.ok
    assert urlsplit(page.url).path == "/navi/birth/checklist/"
    assert parse_qs(urlsplit(page.url).query)["date"] == [born.isoformat()]
    assert set(titles(page)) == {"出生届", "国民健康保険の加入", "児童手当の認定請求",
                                 "子ども医療費助成の申請"}
    assert titles(page)[0] == "出生届"  # the earliest deadline first
    # 出生届: the day of birth counted (14 days → 13 days after), moved past closed days.
    birth = navigator.compute_deadline(
        navigator.DeadlineSpec(navigator.WITHIN, 14, count_first_day=True), born)
    first = page.locator(".navi-item").filter(has_text="出生届").first
    expect(first).to_contain_text(shown(birth.last_day))
    expect(first).to_contain_text("市民課 住民記録窓口")
    expect(first).to_contain_text("母子健康手帳")
    # The one procedure with a live form offers to apply online.
    expect(page.locator('.navi-item a[href="/apply/kodomo-iryohi/"]')).to_have_count(1)
    share = page.locator("#navi-share-url").input_value()
    assert "/navi/birth/checklist/?date=" in share and "kokuho=yes" in share
    assert_accessible(page, "birth checklist")
    screenshot_both(page, artifacts_dir, "navi-01-birth-checklist")
    page.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(page) <= 320
    page.set_viewport_size({"width": 1280, "height": 800})

    # The print view: no navigation, A4 pages, every detail.
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("A4")).click()
    assert urlsplit(page.url).path == "/navi/birth/checklist/print/"
    expect(page.locator(".site-nav")).to_have_count(0)
    expect(page.locator(".navi-item").first).to_contain_text(shown(birth.last_day))
    assert_accessible(page, "print view")
    screenshot_both(page, artifacts_dir, "navi-02-print-view")


def test_print_view_is_a4_and_hides_the_tools(page, artifacts_dir: Path):
    today = timezone.localdate()
    page.goto(f"/navi/birth/checklist/print/?date={today.isoformat()}&born_abroad=no"
              "&kokuho=yes&daycare=yes")
    expect(page.locator("[data-navi-print]")).to_be_visible()  # JavaScript shows the button
    page.emulate_media(media="print")
    expect(page.locator(".navi-print__tools")).to_be_hidden()
    expect(page.locator(".navi-item").first).to_be_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page in the PDF"
    for width, height in boxes:  # A4 is 595.28 × 841.89 points
        assert abs(float(width) - 595.28) < 2 and abs(float(height) - 841.89) < 2
    (artifacts_dir / "navi-03-print.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")


def test_moving_in_with_errors_first(page, assert_accessible, artifacts_dir: Path):
    page.goto("/navi/move_in/")
    response = submit(page)
    assert response.ok
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile("^(エラー|Error)"))
    assert summary.locator("a").count() == 4  # the date and three questions
    assert_accessible(page, "move-in errors")
    screenshot_both(page, artifacts_dir, "navi-04-move-in-errors")
    page.locator("#navi-date").fill("R8.2.30")
    page.locator("#navi-children").fill("２")
    page.locator("#navi-school_children").check()
    page.locator("#navi-kokuho-no").check()
    submit(page)
    expect(page.locator("#navi-date-error")).to_contain_text("存在しません")
    expect(page.locator("#navi-children")).to_have_value("２")
    moved = timezone.localdate() - dt.timedelta(days=1)
    page.locator("#navi-date").fill(moved.strftime("%Y/%m/%d"))
    submit(page)
    assert urlsplit(page.url).path == "/navi/move_in/checklist/"
    names = titles(page)
    assert names[0] == "転入届"
    assert {"児童手当の認定請求", "子ども医療費助成の申請",
            "小・中学校の入学・転校の手続き"} <= set(names)
    assert "国民健康保険の加入" not in names
    tennyu = navigator.compute_deadline(navigator.DeadlineSpec(navigator.WITHIN, 14), moved)
    expect(page.locator(".navi-item").first).to_contain_text(shown(tennyu.last_day))
    assert_accessible(page, "move-in checklist")
    screenshot_both(page, artifacts_dir, "navi-05-move-in-checklist")


def test_staff_change_a_rule_and_residents_see_it(new_page, assert_accessible,
                                                  artifacts_dir: Path):
    from madoguchi.catalog.models import NavigatorRule

    staff = new_page()
    sign_in(staff, staff_email("kosodate3"), DEMO_PASSWORD, staff=True)  # head of 子育て支援課
    staff.goto("/staff/navigator/")
    assert_accessible(staff, "staff navigator index")
    staff.goto("/staff/navigator/events/birth/")
    assert_accessible(staff, "staff event page")
    rule = NavigatorRule.objects.get(event__slug="birth", procedure__slug="jido-teate")
    staff.goto(f"/staff/navigator/events/birth/rules/{rule.pk}/")
    assert_accessible(staff, "staff rule editor")
    screenshot_both(staff, artifacts_dir, "navi-06-staff-rule-editor")
    staff.locator("#id_cond0_question").select_option("daycare")
    staff.locator("#id_cond0_comparison").select_option("is_yes")
    submit(staff, "main form[method=post] button[type=submit]")
    expect(staff.locator(".notice--success")).to_be_visible()

    resident = new_page(js=False)
    day = timezone.localdate().isoformat()
    resident.goto(f"/navi/birth/checklist/?date={day}&born_abroad=no&kokuho=no&daycare=no")
    assert "児童手当の認定請求" not in titles(resident)
    resident.goto(f"/navi/birth/checklist/?date={day}&born_abroad=no&kokuho=no&daycare=yes")
    assert "児童手当の認定請求" in titles(resident)
