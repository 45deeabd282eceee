"""A clerk who has never used Madoguchi builds, previews and publishes a form; a resident uses it.

The first test counts the clicks and key presses building took and prints them. The second
builds with the keyboard alone. axe-core checks every builder page and the resident pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import screenshot_both, sign_in, submit
from playwright.sync_api import expect

from madoguchi.applications.models import Application
from madoguchi.core.models import User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL
from madoguchi.forms.models import FormDefinition
from madoguchi.staff.models import Department, StaffMember

pytestmark = pytest.mark.browser

NEW_CLERK = "shinnin@city.midorigaoka.example"
PROCEDURE_SLUG = "jido-teate"
# The smallest valid PNG (1×1 pixel), as a resident's photo of a document.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a2c8d0b80000000049454e44ae426082"
)


@dataclass
class Counter:
    """What the clerk did: each click, and each key pressed (typing counts one per character)."""

    clicks: int = 0
    keys: int = 0


class Clerk:
    """Drives the builder like a person and counts the effort."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = Counter()

    def click(self, selector: str, *, navigate: bool = True) -> None:
        self.count.clicks += 1
        if navigate:
            with self.page.expect_navigation():
                self.page.locator(selector).first.click()
        else:
            self.page.locator(selector).first.click()

    def type(self, selector: str, text: str) -> None:
        self.count.clicks += 1  # into the box
        element = self.page.locator(selector).first
        element.fill("")
        element.press_sequentially(text)
        self.count.keys += len(text)

    def choose(self, selector: str, value: str) -> None:
        self.count.clicks += 2  # open the list, pick
        self.page.locator(selector).first.select_option(value)

    def add_field(self, page_number: int, entry: str, label: str) -> None:
        """Open the palette of a page, add a field of ``entry`` and give it a label."""
        section = f"main section.builder-page >> nth={page_number - 1}"
        palette = self.page.locator(section).locator("details.builder-palette")
        if not palette.evaluate("e => e.open"):
            self.count.clicks += 1
            palette.locator("summary").click()
        self.click(f"{section} >> button[name=entry][value={entry}]")
        assert "/fields/" in self.page.url, self.page.url
        self.type("#f-label_ja", label)

    def save_field(self) -> None:
        self.click("main form button[type=submit].button--large")
        assert re.search(r"/staff/forms/\d+/$", urlsplit(self.page.url).path), self.page.url


def new_clerk() -> None:
    """A clerk who joined 子育て支援課 today."""
    user = User.objects.create_user(email=NEW_CLERK, password=DEMO_PASSWORD,
                                    kind=User.Kind.STAFF)
    StaffMember.objects.create(user=user, department=Department.objects.get(code="kosodate"),
                               family_name="新任", given_name="花子")


def test_a_new_clerk_builds_previews_and_publishes_a_form_that_a_resident_submits(
    new_page, assert_accessible, artifacts_dir: Path, tmp_path: Path
):
    new_clerk()
    page = new_page()
    sign_in(page, NEW_CLERK, DEMO_PASSWORD, staff=True)
    clerk = Clerk(page)

    # From the inbox to the forms, then a blank form.
    clerk.click("header a[href='/staff/forms/']")
    assert_accessible(page, "builder list")
    clerk.click("main a[href='/staff/forms/new/']")
    clerk.type("#f-title_ja", "家族のおしらせ")
    clerk.click("main form button[type=submit]")
    form = FormDefinition.objects.get(draft__title__ja="家族のおしらせ")
    assert_accessible(page, "editor (empty)")

    # Page 1: six fields.
    clerk.add_field(1, "name", "申請する方のお名前")
    clerk.save_field()
    clerk.add_field(1, "date", "生年月日")
    clerk.save_field()
    clerk.add_field(1, "phone", "電話番号")
    clerk.save_field()
    clerk.add_field(1, "email", "メールアドレス")
    clerk.save_field()
    clerk.add_field(1, "address", "お住まい")
    clerk.save_field()
    clerk.add_field(1, "choice", "兄弟姉妹はいますか")
    assert_accessible(page, "edit field")
    clerk.save_field()

    # Page 2 with four fields, one shown only when the answer above is "はい".
    clerk.click("main form:has(input[value=add_page]) button")
    clerk.add_field(2, "text", "兄弟姉妹のお名前")
    clerk.choose("#f-show_if_field", "choice_1")
    clerk.choose("#f-show_if_phrase", "is")
    clerk.choose("#f-show_if_option", "choice_1:yes")
    clerk.save_field()
    clerk.add_field(2, "number", "世帯の人数")
    clerk.save_field()
    clerk.add_field(2, "file", "保険証の写し")
    clerk.save_field()
    clerk.add_field(2, "consent", "内容に間違いがないことを確認しました")
    clerk.save_field()
    assert_accessible(page, "editor (10 fields)")
    screenshot_both(page, artifacts_dir, "builder-editor")

    # Settings: the procedure it serves and the name shown in the inbox.
    clerk.click("main a[href$='/settings/']")
    clerk.choose("#f-procedure", str(form.procedure_id or _procedure_id()))
    clerk.choose("#f-applicant_field", "name_1")
    clerk.click("main form button[type=submit]")

    # Preview exactly as residents see it.
    clerk.click("main a[href*='/preview/']")
    assert page.locator(".notice--preview").is_visible()
    assert page.locator("input[name='name_1-family']").is_visible()
    assert_accessible(page, "preview")
    page.go_back()

    # Publish: the publish check, then its button.
    clerk.click("main .builder-publish a[href$='/publish/']")
    assert_accessible(page, "publish check")
    clerk.click("main form.builder-publish button[type=submit]")
    expect(page.locator(".notice--success, .messages").first).to_be_visible()
    built = Counter(clerk.count.clicks, clerk.count.keys)
    print(f"\nbuilding took {built.clicks} clicks and {built.keys} key presses")
    form.refresh_from_db()
    version = form.live_version
    assert version is not None and len(
        [f for p in version.definition["pages"] for f in p["fields"]]) == 10
    assert form.procedure.slug == PROCEDURE_SLUG

    # A resident applies with the new form, uploading a photo of the card.
    resident = new_page(width=320, height=640)
    sign_in(resident, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    resident.goto(f"/apply/{form.slug}/")
    assert_accessible(resident, "resident page 1")
    resident.fill("[name='name_1-family']", "髙橋")
    resident.fill("[name='name_1-given']", "𠮷男")
    resident.fill("[name='name_1-family_kana']", "たかはし")
    resident.fill("[name='name_1-given_kana']", "よしお")
    resident.fill("[name='date_1']", "昭和60年5月1日")
    resident.fill("[name='phone_1']", "０９０－１２３４－５６７８")
    resident.fill("[name='email_1']", "taro@example.jp")
    resident.fill("[name='address_1-postal_code']", "9970035")
    resident.locator("[name='_action'][value='address_1:lookup']").click()
    expect(resident.locator("[name='address_1-city']")).to_have_value("鶴岡市")
    resident.fill("[name='address_1-street']", "1-2-3")
    resident.locator("input[name='choice_1'][value='yes']").check()
    submit(resident)
    assert resident.locator("input[name='text_1']").is_visible()
    resident.fill("[name='text_1']", "髙橋 花子")
    resident.fill("[name='number_1']", "４")
    card = tmp_path / "hokensho.png"
    card.write_bytes(PNG)
    resident.set_input_files("input[type=file]", str(card))
    resident.locator("input[name='consent_1']").check()
    assert_accessible(resident, "resident page 2")
    submit(resident)
    assert urlsplit(resident.url).path == f"/apply/{form.slug}/check/"
    assert "hokensho.png" in resident.locator("main").inner_text()
    screenshot_both(resident, artifacts_dir, "built-form-check")
    submit(resident, "main form[data-once] button[type=submit]")
    application = Application.objects.get()
    assert application.form_version == version
    assert application.answers["text_1"] == "髙橋 花子"
    assert application.answers["number_1"] == 4
    assert application.answers["file_1"][0]["size"] == len(PNG)
    assert application.applicant_name == "髙橋 𠮷男"


def _procedure_id() -> str:
    from madoguchi.catalog.models import Procedure

    return str(Procedure.objects.get(slug=PROCEDURE_SLUG).pk)


def tab_to(page: Any, selector: str, limit: int = 400) -> int:
    """Press Tab until the element matching ``selector`` has the focus; returns the presses."""
    target = page.locator(selector).first
    target.wait_for()
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return presses
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def press(page: Any, key: str, *, navigate: bool = True) -> None:
    if navigate:
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


def open_palette(page: Any) -> None:
    palette = page.locator("details.builder-palette").first
    if not palette.evaluate("e => e.open"):
        tab_to(page, "details.builder-palette summary")
        page.keyboard.press("Enter")
    assert palette.evaluate("e => e.open")


def test_the_builder_works_with_the_keyboard_alone(page, assert_accessible):
    new_clerk()
    sign_in(page, NEW_CLERK, DEMO_PASSWORD, staff=True)
    page.goto("/staff/forms/new/")
    tab_to(page, "#f-title_ja")
    page.keyboard.type("キーボードだけで作るフォーム")
    press(page, "Enter")
    form = FormDefinition.objects.get(draft__title__ja="キーボードだけで作るフォーム")

    # The palette opens with Enter on its summary (an empty page shows it open); Space presses
    # an "add" button.
    open_palette(page)
    tab_to(page, "button[name=entry][value=text]")
    press(page, "Space")
    tab_to(page, "#f-label_ja")
    page.keyboard.press("Control+a")
    page.keyboard.type("お名前")
    tab_to(page, "#f-required")
    page.keyboard.press("Space")  # not required after all
    tab_to(page, "main form button.button--large")
    press(page, "Enter")

    open_palette(page)
    tab_to(page, "button[name=entry][value=phone]")
    press(page, "Enter")
    tab_to(page, "main form button.button--large")
    press(page, "Enter")

    # Move the phone field above the name with its ↑ button.
    tab_to(page, "#field-phone_1 button[value=up]")
    press(page, "Enter")
    form.refresh_from_db()
    keys = [f["key"] for f in form.draft["pages"][0]["fields"]]
    assert keys == ["phone_1", "text_1"]
    assert form.draft["pages"][0]["fields"][1]["label"]["ja"] == "お名前"
    assert "required" not in form.draft["pages"][0]["fields"][1]
    focused = page.evaluate("() => document.activeElement && document.activeElement.tagName")
    assert focused is not None
    assert_accessible(page, "editor after keyboard edits")

    # Publish with the keyboard, through the publish check.
    tab_to(page, "main .builder-publish a[href$='/publish/']")
    press(page, "Enter")
    tab_to(page, "main form.builder-publish button[type=submit]")
    press(page, "Enter")
    form.refresh_from_db()
    assert form.live_version is not None


def test_publishing_a_broken_form_is_refused_with_the_reason(page, assert_accessible):
    new_clerk()
    sign_in(page, NEW_CLERK, DEMO_PASSWORD, staff=True)
    page.goto("/staff/forms/templates/")
    assert_accessible(page, "templates")
    with page.expect_navigation():
        page.locator("form[action*='/templates/ninshin/'] button").click()
    form = FormDefinition.objects.filter(department__code="kosodate").latest("pk")
    # Delete the field a condition depends on: the builder keeps the condition and says why.
    target = _a_condition_target(form.draft)
    with page.expect_navigation():
        page.locator(f"#field-{target} form:has(input[value=remove_field]) button").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text(target)
    with page.expect_navigation():
        page.locator("main .builder-publish a[href$='/publish/']").click()
    expect(page.locator("#problems")).to_contain_text(target)
    expect(page.locator("main form.builder-publish")).to_have_count(0)
    form.refresh_from_db()
    assert form.live_version is None
    assert_accessible(page, "refused publish")


def _a_condition_target(definition: dict) -> str:
    for page in definition["pages"]:
        for rule in [page.get("show_if")] + [f.get("show_if") for f in page["fields"]]:
            if isinstance(rule, dict):
                for args in rule.values():
                    for arg in args if isinstance(args, list) else [args]:
                        if isinstance(arg, dict) and "var" in arg:
                            return arg["var"]
    raise AssertionError("the template has no condition")
