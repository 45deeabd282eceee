"""The worksheet pages: who may open them, plain-HTML forms, Japanese messages, never a 500."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from madoguchi.bpr import excel
from madoguchi.bpr.models import Evidence, Step, View, Worksheet
from madoguchi.bpr.tests.helpers import blank_procedure
from madoguchi.conftest import visible_text
from madoguchi.core.models import AuditEvent
from madoguchi.staff.tests.helpers import member, staff_login

pytestmark = pytest.mark.django_db
BASE = "/staff/bpr/tsugaku-hojo/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_of(role: str, department: str = "kosodate") -> Client:
    return staff_login(Client(), member(role, department))


@pytest.fixture
def head(demo) -> Client:
    return client_of("head")


@pytest.fixture
def sheet(demo) -> Worksheet:
    return Worksheet.objects.get(procedure__slug="tsugaku-hojo")


def step_post(prefix: str = "", **changes: str) -> dict[str, str]:
    data = {"actor": "department", "action": "オンラインで審査", "medium": "online",
            "minutes_per_case": "3.5", "cases_per_year": "600", "problems": "",
            "parties": "", "status": "coordinating", "replaced_by": ""} | changes
    return {f"{prefix}-{k}" if prefix else k: v for k, v in data.items()}


def test_the_worksheet_page_in_japanese(head, sheet):
    response = head.get(BASE)
    assert response.status_code == 200
    text = visible_text(response.content)
    for heading in ("順番", "担当", "作業内容", "媒体", "1件あたり分", "年間件数", "想定される課題",
                    "調整先", "状況", "現状", "見直し後", "協議記録"):
        assert heading in text, heading
    assert "年間 524.0 時間" in text
    assert "時間の削減" in text


def test_who_may_open_which_worksheet(demo):
    assert client_of("head", "kenko").get(BASE).status_code == 404
    assert client_of("head", "kenko").get("/staff/bpr/gan-kenshin/").status_code == 200
    assert client_of("dx", "shimin").get(BASE).status_code == 200
    assert client_of("admin", "shimin").get("/staff/bpr/gan-kenshin/").status_code == 200
    for role in ("clerk", "approver", "counter"):
        assert client_of(role).get(BASE).status_code == 403
        assert client_of(role).post(f"{BASE}views/as_is/new/", step_post()).status_code == 403
    listing = visible_text(client_of("head", "kenko").get("/staff/bpr/").content)
    assert "がん検診" in listing and "高校生等通学費補助金" not in listing
    assert "高校生等通学費補助金" in visible_text(client_of("dx", "shimin").get("/staff/bpr/")
                                                 .content)


def test_a_head_adds_a_row_with_the_plain_form(head, sheet):
    version = sheet.version
    response = head.post(f"{BASE}views/to_be/new/", step_post("to_be"))
    assert response.status_code == 302
    added = sheet.steps.get(view=View.TO_BE, order=8)
    assert added.action == "オンラインで審査" and str(added.minutes_per_case) == "3.5"
    sheet.refresh_from_db()
    assert sheet.version == version + 1
    assert AuditEvent.objects.filter(action="bpr.step.add", target_id="tsugaku-hojo").exists()


def test_bad_input_gives_japanese_messages_and_changes_nothing(head, sheet):
    count, version = sheet.steps.count(), sheet.version
    bad = step_post("as_is", minutes_per_case="abc", action="", replaced_by="99",
                    medium="fax")
    response = head.post(f"{BASE}views/as_is/new/", bad)
    assert response.status_code == 422
    text = visible_text(response.content)
    assert "数値を入力してください" in text and "このフィールドは必須です" in text
    for path, data in ((f"{BASE}views/sideways/new/", step_post()),
                       (f"{BASE}steps/999999/", step_post()),
                       (f"{BASE}steps/{sheet.steps.first().pk}/move/", {"direction": "left"})):
        assert head.post(path, data).status_code in (302, 404)
    sheet.refresh_from_db()
    assert (sheet.steps.count(), sheet.version) == (count, version)


def test_edit_move_link_and_delete(head, sheet):
    first = sheet.steps.get(view=View.TO_BE, order=1)
    response = head.post(f"{BASE}steps/{first.pk}/", step_post(action="LINEで申請",
                                                                medium="line"))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.action == "LINEで申請"
    as_is = sheet.steps.get(view=View.AS_IS, order=3)
    head.post(f"{BASE}steps/{as_is.pk}/", step_post(replaced_by="2"))
    as_is.refresh_from_db()
    assert as_is.replaced_by.order == 2
    assert head.post(f"{BASE}steps/{first.pk}/move/", {"direction": "down"}).status_code == 302
    first.refresh_from_db()
    assert first.order == 2
    # A step with evidence stays; one without is deleted and the rest move up.
    with_evidence = sheet.steps.get(view=View.AS_IS, order=4)
    response = head.post(f"{BASE}steps/{with_evidence.pk}/delete/")
    assert response.status_code == 409 and "協議記録" in visible_text(response.content)
    assert Step.objects.filter(pk=with_evidence.pk).exists()
    last = sheet.steps.get(view=View.TO_BE, order=7)
    assert head.post(f"{BASE}steps/{last.pk}/delete/").status_code == 302
    assert not Step.objects.filter(pk=last.pk).exists()


def test_evidence_is_appended_and_its_file_only_downloads_through_the_page(head, sheet,
                                                                           settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    step = sheet.steps.get(view=View.AS_IS, order=2)
    response = head.post(f"{BASE}steps/{step.pk}/evidence/", {
        "date": "2026-11-20", "who": "市民課 窓口係", "agreed": "書かない窓口で入力する",
        "attachment": SimpleUploadedFile("議事録.pdf", PDF)})
    assert response.status_code == 302
    entry = Evidence.objects.get(step=step)
    assert entry.attachment_name == "議事録.pdf"
    assert Path(entry.attachment.path).is_relative_to(tmp_path)
    download = head.get(f"{BASE}evidence/{entry.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="bpr.evidence.download").exists()
    assert client_of("head", "kenko").get(f"{BASE}evidence/{entry.pk}/file/").status_code == 404
    assert client_of("clerk").get(f"{BASE}evidence/{entry.pk}/file/").status_code == 403
    assert client_of("dx", "shimin").get(f"{BASE}evidence/{entry.pk}/file/").status_code == 200
    bad = head.post(f"{BASE}steps/{step.pk}/evidence/", {
        "date": "someday", "who": "", "agreed": "x",
        "attachment": SimpleUploadedFile("x.pdf", b"MZ not a pdf")})
    assert bad.status_code == 422
    assert "日付" in visible_text(bad.content) or "有効な日付" in visible_text(bad.content)
    wrong_type = head.post(f"{BASE}steps/{step.pk}/evidence/", {
        "date": "2026-11-20", "who": "a", "agreed": "x",
        "attachment": SimpleUploadedFile("x.pdf", b"MZ not a pdf")})
    assert wrong_type.status_code == 422
    assert "PDF・JPEG・PNG" in visible_text(wrong_type.content)
    assert Evidence.objects.filter(step=step).count() == 1


def test_versions_and_one_versions_snapshot(head, sheet):
    listing = visible_text(head.get(f"{BASE}versions/").content)
    assert "第1版" in listing and "ワークシートを作成" in listing
    first = visible_text(head.get(f"{BASE}versions/1/").content)
    assert "手順はまだありません" in first
    second = visible_text(head.get(f"{BASE}versions/2/").content)
    assert "在学状況を学校へ紙で照会" in second
    assert head.get(f"{BASE}versions/99/").status_code == 404


def test_print_view_is_a4_landscape(head, sheet):
    response = head.get(f"{BASE}print/")
    assert response.status_code == 200
    assert b"bpr/print.css" in response.content
    css = (Path(excel.__file__).parent / "static" / "bpr" / "print.css").read_text()
    assert "size: A4 landscape" in css


def test_export_then_import_through_the_pages(head, sheet):
    response = head.get(f"{BASE}export.xlsx")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(response.content))
    book["見直し後"]["E2"] = "abc"
    out = io.BytesIO()
    book.save(out)
    version = sheet.version
    bad = head.post(f"{BASE}import/", {"workbook": SimpleUploadedFile("b.xlsx", out.getvalue())})
    assert bad.status_code == 422
    assert "「見直し後」シート 2行目 E列: 数値を入力してください" in visible_text(bad.content)
    book["見直し後"]["E2"] = 6
    out = io.BytesIO()
    book.save(out)
    good = head.post(f"{BASE}import/", {"workbook": SimpleUploadedFile("g.xlsx", out.getvalue())})
    assert good.status_code == 302
    sheet.refresh_from_db()
    assert sheet.version == version + 1
    assert str(sheet.steps.get(view=View.TO_BE, order=1).minutes_per_case) == "6.0"
    assert head.post(f"{BASE}import/", {}).status_code == 422


def test_a_procedure_without_worksheet_can_start_one(head):
    procedure = blank_procedure()
    page = head.get(f"/staff/bpr/{procedure.slug}/")
    assert page.status_code == 200 and "ワークシートを作成する" in visible_text(page.content)
    assert head.get(f"/staff/bpr/{procedure.slug}/versions/").status_code == 404
    assert head.post(f"/staff/bpr/{procedure.slug}/create/").status_code == 302
    assert Worksheet.objects.get(procedure=procedure).version == 1
