"""A file over the size limit is refused in the browser before it is uploaded (with JavaScript;
the server still checks), and the refusal is said in the field's live status region."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_support import FORM_POST, SLUG, fill_form_page, sign_in, submit
from playwright.sync_api import expect

from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL

pytestmark = pytest.mark.browser

COMMUTE = f"/apply/{SLUG}/commute/"
LIMIT = 10 * 1024 * 1024  # the 通学費 form's pass_copy: 10 MB each, up to 2 files
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100
MESSAGE = "「{}」は10 MBより大きいため、添付できません。10 MB以下のファイルを選んでください。"


def png(name: str, size: int) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": PNG + b"\x00" * (size - len(PNG))}


def chosen(page) -> list[str]:
    return page.locator("#f-pass_copy").evaluate("i => Array.from(i.files, f => f.name)")


def test_an_oversize_file_is_refused_before_it_is_uploaded(new_page, media_root,
                                                           assert_accessible) -> None:
    page = new_page()
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(COMMUTE)
    field = page.locator("#f-pass_copy")
    status = page.locator("#f-pass_copy-status")
    expect(status).to_have_attribute("aria-live", "polite")

    field.set_input_files([png("大きい定期券.png", LIMIT + 1)])
    expect(status).to_have_text(MESSAGE.format("大きい定期券.png"))
    assert chosen(page) == []
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "f-pass_copy-status" in field.get_attribute("aria-describedby").split()
    assert_accessible(page, "commute page with a refused file")

    # Of two files only the one over the limit is dropped.
    field.set_input_files([png("表.png", 2048), png("裏.png", LIMIT + 5)])
    expect(status).to_have_text(MESSAGE.format("裏.png"))
    assert chosen(page) == ["表.png"]

    # A file within the limit clears the message.
    field.set_input_files([png("定期券.png", LIMIT)])
    expect(status).to_have_text("")
    assert chosen(page) == ["定期券.png"]
    assert field.get_attribute("aria-invalid") is None
    assert "f-pass_copy-status" not in (field.get_attribute("aria-describedby") or "").split()

    # The refused file never travels: the page is sent with only what is left.
    field.set_input_files([png("大きい定期券.png", LIMIT + 1)])
    expect(status).to_have_text(MESSAGE.format("大きい定期券.png"))
    fill_form_page(page, FORM_POST["commute"])
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(COMMUTE)) as sent:
        response = submit(page)
    assert len(sent.value.post_data_buffer or b"") < 100_000
    assert response.ok and urlsplit(page.url).path == f"/apply/{SLUG}/bank/"
    log = page.madoguchi_console
    assert log.errors == [], log.errors


def test_the_server_still_refuses_an_oversize_file_without_javascript(new_page,
                                                                      media_root) -> None:
    page = new_page(js=False)
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto(COMMUTE)
    fill_form_page(page, FORM_POST["commute"])
    page.locator("#f-pass_copy").set_input_files([png("大きい定期券.png", LIMIT + 1)])
    response = submit(page)
    assert response.status == 422
    expect(page.locator("#f-pass_copy-error")).to_contain_text(MESSAGE.format("大きい定期券.png"))


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads of these tests go to a temporary folder, never into the repository."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
