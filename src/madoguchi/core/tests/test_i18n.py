"""The Japanese translation is complete: the catalog, its compiled form and the rendered pages.

A resident reading the site in Japanese must never meet an untranslated English sentence. The
page test renders every main resident page in Japanese and looks for two consecutive English
words in the visible text (addresses, URLs and receipt numbers removed).
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

from madoguchi.applications.models import Application, Status
from madoguchi.applications.services import change_status
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import (
    CHECK_URL,
    PAGE_KEYS,
    VALID_POST,
    client_for,
    fill_wizard,
    page_url,
    visible_text,
)
from madoguchi.core.models import MailboxMessage

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
JA_PO = LOCALE_DIR / "ja" / "LC_MESSAGES" / "django.po"
JA_MO = JA_PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|\{\{\s*(\w+)\s*\}\}")
ENGLISH_RUN = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL = re.compile(r"(https?://|/)[\w\-./?=&%#:]+")
RECEIPT = re.compile(r"\d{4}-\d{7}-\d")
ATTRIBUTES = re.compile(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"')


def describe(entries: list[polib.POEntry]) -> str:
    return "\n".join(f"  {e.msgid!r}" for e in entries[:30]) + (
        f"\n  … and {len(entries) - 30} more" if len(entries) > 30 else "")


@pytest.fixture(scope="module")
def ja_po() -> polib.POFile:
    assert JA_PO.exists(), JA_PO
    return polib.pofile(str(JA_PO))


def test_japanese_catalog_has_no_untranslated_entries(ja_po):
    untranslated = [e for e in ja_po.untranslated_entries() if not e.obsolete]
    assert not untranslated, f"{len(untranslated)} untranslated:\n{describe(untranslated)}"


def test_japanese_catalog_has_no_fuzzy_entries(ja_po):
    fuzzy = [e for e in ja_po.fuzzy_entries() if not e.obsolete]
    assert not fuzzy, f"{len(fuzzy)} fuzzy:\n{describe(fuzzy)}"


def test_translations_keep_every_placeholder(ja_po):
    """A placeholder missing from a translation loses information; an extra one crashes."""
    def names(text: str) -> set[str]:
        return {m[1] or m[2] for m in PLACEHOLDER.finditer(text)}

    wrong = []
    for entry in ja_po.translated_entries():
        if entry.msgid_plural:
            wanted = names(entry.msgid_plural)
            allowed = wanted | names(entry.msgid)
            if any(not wanted <= names(t) <= allowed for t in entry.msgstr_plural.values()):
                wrong.append(entry)
        elif names(entry.msgid) != names(entry.msgstr):
            wrong.append(entry)
    assert not wrong, f"placeholders differ:\n{describe(wrong)}"


def compiled(mo: polib.MOFile) -> dict[tuple[str | None, str], object]:
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in mo if e.msgid
    }


def test_compiled_catalog_matches_the_po_file(ja_po, tmp_path):
    assert JA_MO.exists(), f"{JA_MO} is missing: run scripts/compile_messages.py"
    fresh = tmp_path / "django.mo"
    ja_po.save_as_mofile(str(fresh))
    expected = compiled(polib.mofile(str(fresh)))
    actual = compiled(polib.mofile(str(JA_MO)))
    missing = sorted(k[1] for k in expected.keys() - actual.keys())
    stale = sorted(k[1] for k in actual.keys() - expected.keys())
    changed = sorted(k[1] for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    assert not (missing or stale or changed), (
        f"recompile the catalog (scripts/compile_messages.py): missing {missing[:10]}, "
        f"stale {stale[:10]}, changed {changed[:10]}")


# --- rendered pages ---------------------------------------------------------------------------
def english_leaks(content: bytes) -> list[str]:
    """Runs of English words in what a Japanese reader sees or hears on the page."""
    html = content.decode()
    html = re.sub(r'(?s)<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", html)  # marked as English
    text = " ".join([visible_text(html), *ATTRIBUTES.findall(html)])
    for pattern in (EMAIL, RECEIPT, URL):
        text = pattern.sub(" ", text)
    # Report whole runs of Latin-script text (a sentence), not each pair of words.
    spans = re.findall(r"[A-Za-z0-9][A-Za-z0-9 ,.;:!?'’“”\"()\-]*", text)
    return [span.strip() for span in spans if ENGLISH_RUN.search(span)]


@pytest.fixture
def submitted(resident_client, staff_user, django_capture_on_commit_callbacks):
    """A resident who applied through the wizard; the application was then rejected."""
    fill_wizard(resident_client)
    html = resident_client.get(CHECK_URL).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    resident_client.post(CHECK_URL, {"token": token})
    application = Application.objects.get()
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    change_status(application=application, to_status=Status.REJECTED, actor=staff_user,
                  reason="定期券の区間が確認できませんでした。")
    return application


def resident_pages(client, application) -> list[tuple[str, int, bytes]]:
    """(name, status, content) of every main resident page, filled as a resident would."""
    pages: list[tuple[str, int, bytes]] = []

    def get(name: str, url: str, status: int = 200) -> None:
        response = client.get(url)
        assert response.status_code == status, (name, response.status_code)
        pages.append((name, status, response.content))

    def post(name: str, url: str, data: dict, status: int) -> None:
        response = client.post(url, data)
        assert response.status_code == status, (name, response.status_code)
        pages.append((name, status, response.content))

    anonymous = client_for(None)
    for name, url in [("home", "/"), ("search", "/search/?q=通学"),
                      ("search without results", "/search/?q=存在しない手続き"),
                      ("sign-in", "/account/login/"), ("sign-up", "/account/signup/"),
                      ("not found", "/no-such-page/")]:
        response = anonymous.get(url)
        pages.append((name, response.status_code, response.content))
    response = anonymous.post("/account/login/", {"email": "", "password": ""})
    pages.append(("sign-in with errors", response.status_code, response.content))
    response = anonymous.post("/account/login/", {"email": "nobody@example.jp",
                                                  "password": "wrong-password"})
    pages.append(("sign-in refused", response.status_code, response.content))
    response = anonymous.post("/account/signup/", {"email": "x", "password": "short",
                                                   "password_again": "other"})
    pages.append(("sign-up with errors", response.status_code, response.content))
    for procedure in Procedure.objects.all():
        get(f"procedure {procedure.slug}", f"/procedures/{procedure.slug}/")
    for page in PAGE_KEYS:
        get(f"form page {page}", page_url(page))
        post(f"form page {page} with errors", page_url(page), {}, 422)
    post("student page with an impossible date", page_url("student"),
         {**VALID_POST["student"], "student_birth_date": "平成31年5月1日"}, 422)
    fill_wizard(client)
    get("check page", CHECK_URL)
    get("change page", page_url("commute") + "?return=check")
    post("check page with an expired token", CHECK_URL, {"token": "expired"}, 422)
    get("submitted page", f"/my/applications/{application.public_id}/submitted/")
    get("my page", "/my/")
    get("application detail", f"/my/applications/{application.public_id}/")
    return pages


def test_resident_pages_have_no_english_in_japanese(resident_client, submitted):
    leaks = {}
    for name, status, content in resident_pages(resident_client, submitted):
        assert '<html lang="ja">' in content.decode(), name
        found = english_leaks(content)
        if found:
            leaks[f"{name} ({status})"] = found
    assert not leaks, "English in the Japanese pages:\n" + "\n".join(
        f"  {name}: {found}" for name, found in leaks.items())


def test_staff_pages_have_no_english_in_japanese(staff_user, submitted):
    client = client_for(staff_user)
    leaks = {}
    for name, url in [("inbox", "/staff/"), ("case", f"/staff/applications/{submitted.public_id}/"),
                      ("sign-in", "/staff/login/")]:
        response = client.get(url) if name != "sign-in" else client_for(None).get(url)
        assert response.status_code == 200, name
        found = english_leaks(response.content)
        if found:
            leaks[name] = found
    assert not leaks, "English in the Japanese staff pages:\n" + "\n".join(
        f"  {name}: {found}" for name, found in leaks.items())


def test_emails_have_no_english_in_japanese(resident, staff_user, make_application,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = make_application()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    leaks = {}
    for mail in MailboxMessage.objects.all():
        found = english_leaks(f"{mail.subject}\n{mail.body}".encode())
        if found:
            leaks[mail.subject] = found
    assert MailboxMessage.objects.count() == 2
    assert not leaks, leaks


def test_the_leak_detector_finds_english():
    assert english_leaks(b"<p>Check your answers</p>")
    assert english_leaks(b'<nav aria-label="Main menu"></nav>')
    assert not english_leaks(b"<p>\xe7\x94\xb3\xe8\xab\x8b</p>")
    assert not english_leaks(b'<button lang="en">English</button>')
    assert not english_leaks(b"<p>taro@example.jp 2026-0000001-4 /my/applications/x/</p>")
    assert not english_leaks(b"<script>var some thing = 1;</script>")
