"""The back office at 1280×800: at least 15 inbox rows on the first screen, a case's answers and
actions on the first screen (the actions stay in view), files beside the answers, next/previous
within the filter by keyboard, and axe-core on both pages."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from browser_support import make_application, sign_in
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import expect

from madoguchi.applications.models import Application
from madoguchi.core.models import User
from madoguchi.demo.city import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 800
MIN_ROWS = 15
VISIBLE_ROWS = """() => [...document.querySelectorAll('main table tbody tr')]
    .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"""
SCREENS = "() => document.documentElement.scrollHeight / window.innerHeight"


def box(page, selector: str) -> dict[str, float]:
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }")


def stored_png() -> dict[str, object]:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (40, 90, 160)).save(buffer, format="PNG")
    content = buffer.getvalue()
    name = f"uploads/2026/11/{uuid.uuid4().hex}.png"
    default_storage.save(name, ContentFile(content))
    return {"name": "定期券.png", "storage_name": name, "size": len(content),
            "content_type": "image/png", "sha256": "0" * 64}


def test_inbox_and_case_fit_the_first_screen(new_page, assert_accessible, artifacts_dir: Path,
                                             settings, tmp_path: Path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    resident = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    cases = [make_application(resident) for _ in range(20)]
    with_file = cases[10]
    Application.objects.filter(pk=with_file.pk).update(
        answers={**with_file.answers, "pass_copy": [stored_png()]})

    page = new_page(width=WIDTH, height=HEIGHT)
    sign_in(page, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    page.goto("/staff/?status=received")
    rows = page.evaluate(VISIBLE_ROWS)
    print(f"inbox rows visible at {WIDTH}x{HEIGHT}: {rows}")
    page.screenshot(path=str(artifacts_dir / "backoffice-inbox-1280x800.png"))
    assert rows >= MIN_ROWS
    expect(page.locator("main th", has_text="期限")).to_be_visible()
    expect(page.locator("main th", has_text="受付からの日数")).to_be_visible()
    assert_accessible(page, "dense inbox")

    # j/k move along the rows; Enter opens the case with the filter carried along.
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == cases[18].receipt_number
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/staff/applications/{cases[18].public_id}/?status=received")

    # The case: answers and actions on the first screen.
    page.goto(f"/staff/applications/{with_file.public_id}/?status=received")
    screens = page.evaluate(SCREENS)
    print(f"case height at {WIDTH}x{HEIGHT}: {screens:.2f} screens")
    page.screenshot(path=str(artifacts_dir / "backoffice-case-1280x800.png"))
    page.screenshot(path=str(artifacts_dir / "backoffice-case-full.png"), full_page=True)
    first_answer = box(page, "main .bo-answers .summary__row")
    actions = box(page, "main .bo-actions")
    status_button = box(page, "main .bo-status-buttons button")
    assert first_answer["bottom"] <= HEIGHT
    assert 0 <= actions["top"] < HEIGHT and status_button["bottom"] <= HEIGHT
    # The file is shown beside the answers, loaded from the authenticated URL.
    image = page.locator("main .bo-files img")
    expect(image).to_be_visible()
    assert image.evaluate("i => i.complete && i.naturalWidth") == 320
    files, answers = box(page, "main .bo-files"), box(page, "main .bo-answers")
    assert files["top"] < HEIGHT and abs(files["top"] - answers["top"]) < 10
    # The action bar stays in view while the clerk reads half a screen further down.
    page.evaluate(f"() => window.scrollTo(0, {HEIGHT // 2})")
    assert page.evaluate("() => window.scrollY") == HEIGHT // 2
    actions = box(page, "main .bo-actions")
    assert 0 <= actions["top"] < HEIGHT
    assert box(page, "main .bo-status-buttons button")["bottom"] <= HEIGHT
    expect(page.locator("#shortcuts")).to_contain_text("次の申請")
    page.evaluate("() => window.scrollTo(0, 0)")
    assert_accessible(page, "case page")

    # k is the previous case in the filter (newer, in the default order); a focuses the assignee.
    with page.expect_navigation():
        page.keyboard.press("k")
    assert page.url.endswith(f"/staff/applications/{cases[11].public_id}/?status=received")
    page.keyboard.press("a")
    assert page.evaluate("() => document.activeElement.id") == "assignee"
    # Shortcuts can be turned off (WCAG 2.1.4); then j does nothing.
    page.locator("[data-shortcuts-toggle]").click()
    page.locator("main h1").click()
    page.keyboard.press("j")
    assert page.url.endswith(f"/staff/applications/{cases[11].public_id}/?status=received")


def test_case_works_without_javascript(new_page):
    resident = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    cases = [make_application(resident) for _ in range(3)]
    page = new_page(js=False, width=WIDTH, height=HEIGHT)
    sign_in(page, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    page.goto(f"/staff/applications/{cases[1].public_id}/")
    with page.expect_navigation():
        page.locator("main a[rel=next]").click()
    assert f"/staff/applications/{cases[0].public_id}/" in page.url
    expect(page.locator("[data-shortcuts-toggle]")).to_be_hidden()
    with page.expect_navigation():
        page.locator("main form:has(input[name=to_status][value=under_review]) button").click()
    cases[0].refresh_from_db()
    assert cases[0].status == "under_review"
