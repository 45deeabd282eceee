"""BPR worksheet in a real browser: a department head adds a row, downloads the Excel file,
edits it, imports it and sees the new version; the page and its print view are checked."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import sign_in
from openpyxl import load_workbook
from playwright.sync_api import expect

from madoguchi.bpr.models import View, Worksheet
from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email

pytestmark = pytest.mark.browser
BASE = "/staff/bpr/tsugaku-hojo/"


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_head_fills_exports_edits_and_imports(page, assert_accessible, artifacts_dir: Path,
                                              tmp_path: Path):
    sign_in(page, staff_email("kosodate3"), DEMO_PASSWORD, staff=True)  # head of 子育て支援課
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/staff/bpr/")
    with page.expect_navigation():
        page.get_by_role("link", name="高校生等通学費補助金").click()
    assert urlsplit(page.url).path == BASE
    expect(page.locator("#as-is thead")).to_contain_text("1件あたり分")
    expect(page.locator(".bpr-hours")).to_contain_text("年間 524.0 時間")
    assert_accessible(page, "bpr worksheet")
    page.screenshot(path=str(artifacts_dir / "bpr-worksheet-1280.png"), full_page=True)

    # A new to-be row through the plain form under the table.
    page.locator("details.bpr-add").nth(1).locator("summary").click()
    page.locator("#id_to_be-actor").select_option("counter")
    page.locator("#id_to_be-action").fill("書かない窓口で職員が代わりに入力")
    page.locator("#id_to_be-medium").select_option("counter")
    page.locator("#id_to_be-minutes_per_case").fill("6")
    page.locator("#id_to_be-cases_per_year").fill("120")
    page.locator("#id_to_be-parties").fill("市民課 窓口係")
    click_and_wait(page, page.locator("details.bpr-add").nth(1).get_by_role(
        "button", name="手順を追加する"))
    row = page.locator("#to-be tbody tr").filter(has_text="書かない窓口で職員が代わりに入力")
    expect(row).to_contain_text("12.0")  # 6 min × 120 cases = 12 hours
    sheet = Worksheet.objects.get(procedure__slug="tsugaku-hojo")
    assert sheet.version == 3

    with page.expect_download() as info:
        page.get_by_role("link", name="Excelでダウンロード").click()
    path = tmp_path / "worksheet.xlsx"
    info.value.save_as(path)
    book = load_workbook(path)
    added = [c.value for c in book["見直し後"][9]][:3]
    assert added == [8, "窓口", "書かない窓口で職員が代わりに入力"]
    book["見直し後"]["E2"] = "五分"  # a typing slip first: refused, cell named, nothing changed
    book["見直し後"]["I9"] = "合意済"
    book.save(path)
    page.get_by_role("link", name="Excelから取り込み").click()
    page.locator("#id_workbook").set_input_files(str(path))
    click_and_wait(page, page.get_by_role("button", name="読み込む"))
    expect(page.locator(".bpr-problems")).to_have_text(
        "「見直し後」シート 2行目 E列: 数値を入力してください")
    assert_accessible(page, "bpr import with a bad cell")
    page.screenshot(path=str(artifacts_dir / "bpr-import-error-1280.png"), full_page=True)
    sheet.refresh_from_db()
    assert sheet.version == 3

    book["見直し後"]["E2"] = 5  # the online application takes 5 minutes, not 8
    book.save(path)
    page.locator("#id_workbook").set_input_files(str(path))
    click_and_wait(page, page.get_by_role("button", name="読み込む"))
    assert urlsplit(page.url).path == BASE
    expect(page.locator(".notice--success")).to_contain_text("第4版")
    expect(page.locator("#to-be tbody tr").filter(has_text="職員が代わりに入力")).to_contain_text(
        "合意済")
    sheet.refresh_from_db()
    assert str(sheet.steps.get(view=View.TO_BE, order=1).minutes_per_case) == "5.0"
    page.get_by_role("link", name="版の履歴").click()
    expect(page.locator("tbody tr").first).to_contain_text("Excelから取り込み")
    assert_accessible(page, "bpr versions")

    page.goto(f"{BASE}print/")
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts_dir / "bpr-print.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box is not None
    width, height = float(box[1]), float(box[2])
    assert abs(width - 841.9) < 2 and abs(height - 595.3) < 2  # A4 landscape, in points
    page.emulate_media(media="screen")
    assert_accessible(page, "bpr print view")


def test_rows_are_edited_and_moved_without_javascript(nojs_page, assert_accessible):
    page = nojs_page
    sign_in(page, staff_email("kenko3"), DEMO_PASSWORD, staff=True)  # head of 健康増進課
    page.goto("/staff/bpr/gan-kenshin/")
    row = page.locator("#to-be tbody tr").nth(1)
    click_and_wait(page, row.get_by_role("link", name="編集する"))
    assert_accessible(page, "bpr step form")
    page.locator("#id_minutes_per_case").fill("abc")
    click_and_wait(page, page.get_by_role("button", name="保存"))
    expect(page.locator(".field__error")).to_contain_text("数値を入力してください")
    page.locator("#id_minutes_per_case").fill("3.5")
    page.locator("#id_status").select_option("done")
    click_and_wait(page, page.get_by_role("button", name="保存"))
    moved = page.locator("#to-be tbody tr").nth(1)
    expect(moved).to_contain_text("3.5")
    expect(moved).to_contain_text("実施済")
    click_and_wait(page, moved.get_by_role("button", name="手順 2 を上へ"))
    expect(page.locator("#to-be tbody tr").first).to_contain_text("職員が代行入力")
