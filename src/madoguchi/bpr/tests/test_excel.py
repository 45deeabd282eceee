"""Excel out and in: the round trip, and workbooks that must be refused without a change."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from madoguchi.bpr import excel, services
from madoguchi.bpr.models import View, Worksheet
from madoguchi.bpr.tests.helpers import new_worksheet, row
from madoguchi.staff.tests.helpers import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(demo):
    return member("head", "kosodate")


def upload(data: bytes, name: str = "sheet.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def exported(sheet: Worksheet) -> Workbook:
    return load_workbook(io.BytesIO(excel.export_workbook(sheet)))


def state(sheet: Worksheet) -> dict:
    return services.snapshot(sheet)


def test_export_layout(demo):
    sheet = Worksheet.objects.get(procedure__slug="tsugaku-hojo")
    book = exported(sheet)
    assert book.sheetnames == ["現状", "見直し後"]
    as_is, to_be = book["現状"], book["見直し後"]
    assert [c.value for c in as_is[1]] == ["順番", "担当", "作業内容", "媒体", "1件あたり分",
                                          "年間件数", "想定される課題", "調整先", "状況",
                                          "置き換え先"]
    assert [c.value for c in to_be[1]][-1] == "状況"
    assert as_is.freeze_panes == "A2" and to_be.freeze_panes == "A2"
    assert [c.value for c in as_is[2]][:6] == [
        1, "住民", "窓口で申請書を受け取り、記入して提出する", "窓口", 15, 600]
    lists = {str(v.sqref)[0]: v.formula1
             for v in as_is.data_validations.dataValidation}
    assert lists == {"B": '"住民,窓口,担当課,他機関"', "D": '"紙,電話,窓口,オンライン,LINE,AI-OCR"',
                     "I": '"未着手,調整中,合意済,実施済"'}
    assert as_is.column_dimensions["C"].width >= 30


def test_round_trip_gives_the_same_worksheet(demo, head):
    sheet = Worksheet.objects.get(procedure__slug="gan-kenshin")
    before = state(sheet)
    result = services.import_workbook(sheet, upload(excel.export_workbook(sheet)), author=head)
    assert result.problems == [] and result.version is not None
    sheet.refresh_from_db()
    assert state(sheet) == before
    assert sheet.version == result.version.number
    # Evidence stayed on the steps that kept their order.
    assert sheet.steps.get(view=View.AS_IS, order=2).evidence.count() == 1


def test_an_edited_workbook_replaces_both_views(head):
    sheet = new_worksheet(author=head)
    services.add_step(sheet, View.AS_IS, row("紙で受付", "10", 100), author=head)
    book = exported(sheet)
    book["見直し後"].append([1, "住民", "オンライン申請", "オンライン", 2.5, 100, "", "", "合意済"])
    book["現状"]["J2"] = 1
    book["現状"].append([2, "担当課", "電話で確認", "電話", "5", "20", "つながらない", "", ""])
    result = services.import_workbook(sheet, upload(workbook_bytes(book)), author=head)
    assert result.problems == []
    views = services.snapshot(sheet)["views"]
    assert [(s["action"], s["minutes_per_case"], s["replaced_by"]) for s in views["as_is"]] == [
        ("紙で受付", "10.0", 1), ("電話で確認", "5.0", None)]
    assert views["as_is"][1]["status"] == "not_started"
    assert views["to_be"] == [{"order": 1, "actor": "resident", "action": "オンライン申請",
                               "medium": "online", "minutes_per_case": "2.5",
                               "cases_per_year": 100, "problems": "", "parties": "",
                               "status": "agreed", "replaced_by": None}]


def test_every_bad_cell_is_named_and_nothing_changes(head):
    sheet = new_worksheet(author=head)
    services.add_step(sheet, View.AS_IS, row("元の行"), author=head)
    before, version = state(sheet), sheet.version
    book = exported(sheet)
    ws = book["現状"]
    ws.append([2, "市長", "", "FAX", "abc", 1.5, "", "", "完了", 7])
    ws.append([2, "担当課", "x" * 201, "紙", -1, True, "", "", "", ""])
    book["見直し後"].append(["一", "住民", "申請", "オンライン", 0.25, 10, "", "", ""])
    result = services.import_workbook(sheet, upload(workbook_bytes(book)), author=head)
    assert result.version is None
    problems = result.problems
    expected = [
        "「現状」シート 3行目 B列:", "「現状」シート 3行目 C列:", "「現状」シート 3行目 D列:",
        "「現状」シート 3行目 E列: 数値を入力してください", "「現状」シート 3行目 F列:",
        "「現状」シート 3行目 I列:", "「現状」シート 4行目 A列:", "「現状」シート 4行目 C列:",
        "「現状」シート 4行目 E列:", "「現状」シート 4行目 F列:",
        "「見直し後」シート 2行目 A列:", "「見直し後」シート 2行目 E列:",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)
    sheet.refresh_from_db()
    assert state(sheet) == before and sheet.version == version


def test_a_link_to_a_missing_to_be_step_is_named(head):
    sheet = new_worksheet(author=head)
    book = exported(sheet)
    book["現状"].append([1, "住民", "来庁", "窓口", 10, 5, "", "", "", 3])
    result = services.import_workbook(sheet, upload(workbook_bytes(book)), author=head)
    assert result.problems == ["「現状」シート 2行目 J列: 見直し後の手順 3 はありません。"]


def test_formulas_are_refused_and_reported(head):
    sheet = new_worksheet(author=head)
    book = exported(sheet)
    book["現状"].append([1, "住民", "来庁", "窓口", "=2*5", "=SUM(1,2)", "", "", ""])
    result = services.import_workbook(sheet, upload(workbook_bytes(book)), author=head)
    assert [p.split(":")[0] for p in result.problems] == ["「現状」シート 2行目 E列",
                                                         "「現状」シート 2行目 F列"]
    assert "数式" in result.problems[0]
    assert not sheet.steps.exists()


def test_wrong_headings_and_missing_sheets(head):
    sheet = new_worksheet(author=head)
    book = exported(sheet)
    book["現状"]["C1"] = "内容"
    del book["見直し後"]
    result = services.import_workbook(sheet, upload(workbook_bytes(book)), author=head)
    assert "「見直し後」シートがありません。" in result.problems
    assert any(p.startswith("「現状」シート 1行目 C列") for p in result.problems)


def test_a_sheet_with_very_many_rows_is_refused_quickly(head):
    sheet = new_worksheet(author=head)
    book = Workbook(write_only=True)
    for title in ("現状", "見直し後"):
        ws = book.create_sheet(title)
        ws.append([h for h, _n, _w in excel.columns(View.AS_IS if title == "現状" else View.TO_BE)])
        for i in range(1, 3000):
            ws.append([i, "住民", "来庁", "窓口", 1, 1, "", "", ""])
    data = workbook_bytes(book)
    started = time.perf_counter()
    result = services.import_workbook(sheet, upload(data), author=head)
    assert time.perf_counter() - started < 5
    assert len(result.problems) == 1 and "300" in result.problems[0]
    assert not sheet.steps.exists()


def test_a_sheet_without_dimension_is_still_capped(head):
    """The row count is found by streaming when the sheet does not declare its size."""
    sheet = new_worksheet(author=head)
    book = exported(sheet)
    for i in range(1, excel.MAX_ROWS + 5):
        book["現状"].append([i, "住民", "来庁", "窓口", 1, 1, "", "", ""])
    data = io.BytesIO()
    stripped = 0
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(book))) as source, \
            zipfile.ZipFile(data, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                stripped += content.count(b'<dimension ref="A1:J305"/>')
                content = content.replace(b'<dimension ref="A1:J305"/>', b"")
            target.writestr(item, content)
    assert stripped == 1
    result = services.import_workbook(sheet, upload(data.getvalue()), author=head)
    assert len(result.problems) == 1 and "300" in result.problems[0]


def test_macro_enabled_and_non_workbook_files_are_refused(head):
    sheet = new_worksheet(author=head)
    good = excel.export_workbook(sheet)
    by_name = services.import_workbook(sheet, upload(good, "sheet.xlsm"), author=head)
    assert "マクロ" in by_name.problems[0]
    # A .xlsx that carries a VBA project inside.
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(data, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    hidden = services.import_workbook(sheet, upload(data.getvalue()), author=head)
    assert "マクロ" in hidden.problems[0]
    not_zip = services.import_workbook(sheet, upload(b"%PDF-1.4 not a workbook"), author=head)
    assert not_zip.problems == ["このファイルはExcelブック（.xlsx）ではありません。"]
    broken = services.import_workbook(sheet, upload(good[:400]), author=head)
    assert broken.problems == ["このファイルはExcelブック（.xlsx）ではありません。"]
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as target:
        target.writestr("hello.txt", "hi")
    assert services.import_workbook(sheet, upload(other_zip.getvalue()), author=head).problems
    csv = services.import_workbook(sheet, upload(b"a,b", "sheet.csv"), author=head)
    assert csv.problems == ["Excelブック（.xlsx）を選んでください。"]
    huge = services.import_workbook(sheet, upload(b"0" * (excel.MAX_FILE_BYTES + 1)),
                                    author=head)
    assert "2 MB" in huge.problems[0]
    sheet.refresh_from_db()
    assert sheet.version == 1 and not sheet.steps.exists()


def test_a_link_to_a_bad_to_be_row_is_not_reported_twice(head):
    sheet = new_worksheet(author=head)
    book = exported(sheet)
    book["見直し後"].append([1, "住民", "申請", "オンライン", "五分", 10, "", "", ""])
    book["現状"].append([1, "住民", "来庁", "窓口", 10, 5, "", "", "", 1])
    result = services.import_workbook(sheet, upload(workbook_bytes(book)), author=head)
    assert result.problems == ["「見直し後」シート 2行目 E列: 数値を入力してください"]
