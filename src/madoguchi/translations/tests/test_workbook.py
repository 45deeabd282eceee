"""Export → import of translation workbooks: the round trip, every refusal, stale sources."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest

from madoguchi.catalog.models import NavigatorRule, Procedure
from madoguchi.catalog.selectors import PROCEDURE_TEXT_FIELDS
from madoguchi.core.models import User
from madoguchi.demo.accounts import staff_email
from madoguchi.faq.models import FaqEntry
from madoguchi.forms.models import FormDefinition
from madoguchi.translations import selectors, services, sources, workbook
from madoguchi.translations.models import SourceRecord

from .helpers import book_of, column_of, fill, hash_column, row_of, to_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(demo) -> User:
    return User.objects.get(email=staff_email("shimin3"))


def ja_en(value: Any) -> Any:
    """A JSON value with its texts in Japanese and English only (before any translation)."""
    if isinstance(value, dict):
        if "ja" in value:
            return {k: v for k, v in value.items() if k in ("ja", "en")}
        return {k: ja_en(v) for k, v in value.items()}
    if isinstance(value, list):
        return [ja_en(v) for v in value]
    return value


@pytest.fixture
def tennyu(demo) -> sources.Target:
    """転入届 as before translation (the demo may ship translations), with placeholders."""
    procedure = Procedure.objects.get(slug="tennyu")
    for name in PROCEDURE_TEXT_FIELDS:
        setattr(procedure, name, ja_en(getattr(procedure, name)))
    procedure.summary = {"ja": "{name}さん、%(count)s件の届出があります。", "en": "Hello {name}"}
    procedure.save()
    for rule in NavigatorRule.objects.filter(procedure=procedure):
        rule.why, rule.deadline_basis = ja_en(rule.why), ja_en(rule.deadline_basis)
        rule.save()
    return sources.procedure_target(procedure)


def exported(target: sources.Target) -> bytes:
    return workbook.export_workbook(target.sheet_name, target.texts())


def snapshot() -> tuple:
    return (
        list(Procedure.objects.order_by("pk").values_list("name", "summary", "documents")),
        list(NavigatorRule.objects.order_by("pk").values_list("why", "deadline_basis")),
        list(FormDefinition.objects.order_by("pk").values_list("draft", flat=True)),
        list(FaqEntry.objects.order_by("pk").values_list("question", "answer")),
        SourceRecord.objects.count(),
    )


def test_the_export_is_one_sheet_with_a_locked_source_and_a_hidden_hash(tennyu):
    book = book_of(exported(tennyu))
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    headings = [c.value for c in sheet[1]]
    assert headings[0] == "key" and headings[1].startswith("ja ")
    assert [h.split()[0] for h in headings[2:-1]] == [
        "ja-easy",
        "en",
        "zh-hans",
        "ko",
        "vi",
        "pt-br",
    ]
    assert headings[-1] == "source_hash"
    assert sheet.freeze_panes == "C2"
    assert sheet.protection.sheet
    row = row_of(book, "procedure:tennyu:name")
    assert sheet.cell(row=row, column=2).value == "転入届"
    assert sheet.cell(row=row, column=2).protection.locked
    assert not sheet.cell(row=row, column=column_of("vi")).protection.locked
    assert sheet.cell(row=row, column=column_of("en")).value == "Moving-in notification"
    hash_letter = sheet.cell(row=1, column=hash_column()).column_letter
    assert sheet.column_dimensions[hash_letter].hidden
    assert sheet.cell(row=row, column=hash_column()).value == workbook.source_hash("転入届")
    assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line)
    keys = [sheet.cell(row=n, column=1).value for n in range(2, sheet.max_row + 1)]
    assert "procedure:tennyu:documents.0" in keys
    assert any(k.startswith("procedure:tennyu:rules.") and k.endswith(".why") for k in keys)


def test_a_procedure_round_trip_applies_and_reports(tennyu, head):
    rule = NavigatorRule.objects.filter(procedure__slug="tennyu").first()
    data = fill(
        exported(tennyu),
        {
            ("procedure:tennyu:name", "vi"): "Thông báo chuyển đến",
            ("procedure:tennyu:summary", "vi"): "Chào {name}, có %(count)s thông báo.",
            (f"procedure:tennyu:rules.{rule.pk}.why", "ko"): "이사 오면 신고합니다.",
            ("procedure:tennyu:name", "en"): "Moving-in notification",  # as it was
        },
    )
    report = services.import_workbook(tennyu, upload(data), actor=head)
    assert not report.refused, report.problems
    assert report.counts["vi"].applied == 2 and report.counts["ko"].applied == 1
    assert report.counts["en"].unchanged >= 1
    assert report.counts["zh-hans"].missing == report.texts
    assert not report.stale_keys
    procedure = Procedure.objects.get(slug="tennyu")
    assert procedure.name == {
        "ja": "転入届",
        "en": "Moving-in notification",
        "vi": "Thông báo chuyển đến",
    }
    rule.refresh_from_db()
    assert rule.why["ko"] == "이사 오면 신고합니다." and rule.why["ja"]
    assert SourceRecord.objects.filter(key="procedure:tennyu:name", language="vi").exists()
    again = services.import_workbook(tennyu, upload(data), actor=head)
    assert again.counts["vi"].applied == 0 and again.counts["vi"].unchanged == 2


def test_a_form_import_goes_into_the_draft_and_leaves_published_versions(demo):
    form = FormDefinition.objects.get(slug="tsugaku-hojo")
    live = form.live_version
    target = sources.form_target(form)
    texts = target.texts()
    label_key = next(
        k for k in texts if k.startswith(f"form:{form.pk}:fields.") and k.endswith(".label")
    )
    data = fill(
        exported(target),
        {
            (label_key, "pt-br"): "Nome (teste)",
            (f"form:{form.pk}:title", "zh-hans"): "通学补助（测试）",
        },
    )
    clerk = User.objects.get(email=staff_email("kosodate1"))
    revisions = form.revisions.count()
    report = services.import_workbook(target, upload(data), actor=clerk)
    assert not report.refused and report.applied == 2
    form.refresh_from_db()
    assert form.draft["title"]["zh-hans"] == "通学补助（测试）"
    assert form.revisions.count() == revisions + 1
    live.refresh_from_db()
    assert "zh-hans" not in live.definition["title"]
    assert sources.form_target(form).texts()[label_key]["pt-br"] == "Nome (teste)"


def test_the_faq_round_trip_keeps_the_entries_searchable(demo):
    clerk = User.objects.get(email=staff_email("shimin1"))
    target = sources.faq_for(clerk.staff_profile)
    entry = FaqEntry.objects.filter(department=clerk.staff_profile.department).first()
    other = FaqEntry.objects.exclude(department=clerk.staff_profile.department).first()
    keys = set(target.texts())
    assert f"faq:{entry.pk}:question" in keys and f"faq:{other.pk}:question" not in keys
    data = fill(exported(target), {(f"faq:{entry.pk}:answer", "ja-easy"): "やさしい こたえ"})
    report = services.import_workbook(target, upload(data), actor=clerk)
    assert not report.refused and report.applied == 1
    entry.refresh_from_db()
    assert entry.answer["ja-easy"] == "やさしい こたえ" and entry.updated_by == clerk


def test_stale_sources_are_applied_and_flagged(tennyu, head):
    data = fill(exported(tennyu), {("procedure:tennyu:name", "vi"): "Thông báo chuyển đến"})
    procedure = Procedure.objects.get(slug="tennyu")
    procedure.name = {**procedure.name, "ja": "転入の届出"}
    procedure.save()
    report = services.import_workbook(tennyu, upload(data), actor=head)
    assert not report.refused
    assert report.stale_keys == ["procedure:tennyu:name"]
    assert report.counts["vi"].stale == 1 and report.counts["vi"].applied == 1
    procedure.refresh_from_db()
    assert procedure.name["vi"] == "Thông báo chuyển đến"
    found = selectors.coverage(sources.procedure_target(procedure), "vi")
    assert found.stale_keys == ["procedure:tennyu:name"]
    # Translated again from the current Japanese: no longer stale.
    fresh = fill(
        exported(sources.procedure_target(procedure)),
        {("procedure:tennyu:name", "vi"): "Thông báo chuyển đến (mới)"},
    )
    assert not services.import_workbook(tennyu, upload(fresh), actor=head).stale_keys
    assert selectors.coverage(sources.procedure_target(procedure), "vi").stale == 0


def _refused(target: sources.Target, data: bytes, head: User, name: str = "t.xlsx") -> list[str]:
    before = snapshot()
    report = services.import_workbook(target, upload(data, name), actor=head)
    assert report.refused
    assert snapshot() == before, "a refused import changed something"
    return report.problems


def test_every_reason_is_reported_and_nothing_changes(tennyu, head):
    book = book_of(exported(tennyu))
    sheet = book.worksheets[0]
    name_row, summary_row = (
        row_of(book, "procedure:tennyu:name"),
        row_of(book, "procedure:tennyu:summary"),
    )
    desc_row = row_of(book, "procedure:tennyu:description")
    sheet.cell(row=name_row, column=column_of("vi"), value='=HYPERLINK("http://x")')
    sheet.cell(row=name_row, column=column_of("ko"), value="<script>alert(1)</script>")
    sheet.cell(row=summary_row, column=column_of("vi"), value="Chào bạn, %(count)s thông báo.")
    sheet.cell(row=summary_row, column=column_of("ko"), value="{name} {other} %(count)s")
    sheet.cell(row=desc_row, column=column_of("pt-br"), value=42)
    sheet.cell(row=desc_row, column=column_of("zh-hans"), value=dt.datetime(2026, 1, 1))
    sheet.cell(row=desc_row, column=column_of("en"), value="x" * 9000)
    sheet.cell(row=desc_row, column=column_of("ja-easy"), value="<b>たいせつ</b>")
    extra = sheet.max_row + 1
    sheet.cell(row=extra, column=1, value="procedure:tennyu:nothing")
    sheet.cell(row=extra + 1, column=1, value="procedure:tennyu:name")
    problems = _refused(tennyu, to_bytes(book), head)
    text = "\n".join(problems)
    vi, ko = (sheet.cell(row=1, column=column_of(c)).column_letter for c in ("vi", "ko"))
    assert f"{name_row}行目 {vi}列: 数式" in text
    assert f"{name_row}行目 {ko}列" in text and "HTML" in text
    assert "{name}" in text and "{other}" in text
    assert "数値" in text or "日付" in text
    assert "長すぎ" in text
    assert "procedure:tennyu:nothing" in text
    assert "2回" in text or "重複" in text
    assert len(problems) >= 9


def test_wrong_headers_are_refused(tennyu, head):
    book = book_of(exported(tennyu))
    sheet = book.worksheets[0]
    sheet.cell(row=1, column=column_of("vi"), value="xx Klingon")
    sheet.cell(row=1, column=column_of("ko"), value="en English")
    sheet.cell(row=1, column=1, value="id")
    problems = _refused(tennyu, to_bytes(book), head)
    text = "\n".join(problems)
    assert "xx Klingon" in text and "id" in text
    assert "列「en」が重複" in text
    assert "列「key」がありません" in text


def test_more_rows_than_texts_are_refused(tennyu, head):
    book = book_of(exported(tennyu))
    sheet = book.worksheets[0]
    count = len(tennyu.texts())
    for n in range(count + 2, 2 * count + 3):
        sheet.cell(row=n, column=1, value="procedure:tennyu:name")
    problems = _refused(tennyu, to_bytes(book), head)
    assert any(str(count) in p and "行" in p for p in problems)


def test_hostile_containers_are_refused(tennyu, head):
    good = exported(tennyu)
    assert "マクロ" in _refused(tennyu, good, head, "t.xlsm")[0]
    with_vba = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(with_vba, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    assert "マクロ" in _refused(tennyu, with_vba.getvalue(), head)[0]
    assert "5 MB" in _refused(tennyu, b"0" * (workbook.MAX_FILE_BYTES + 1), head)[0]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", "<Types/>")
        target.writestr("xl/big.xml", b"\0" * (workbook.MAX_UNZIPPED_BYTES + 1))
    assert _refused(tennyu, bomb.getvalue(), head)
    assert _refused(tennyu, b"%PDF-1.4", head) == [
        "このファイルはExcelブック（.xlsx）ではありません。"
    ]
    assert _refused(tennyu, b"a,b", head, "t.csv") == ["Excelブック（.xlsx）を選んでください。"]


def test_the_placeholder_and_markup_checks():
    assert workbook.check_translation("{name}様", "Dear {name}") == []
    assert workbook.check_translation("%(count)s件", "%(count)s items") == []
    assert workbook.check_translation("{name}様", "Dear name")
    assert workbook.check_translation("{name}様", "Dear {nom}")
    assert workbook.check_translation("%(count)s件", "%(count)d items")
    assert workbook.check_translation("お知らせ", "<SCRIPT src=x>")
    assert workbook.check_translation("お知らせ", "a <a href='x'>link</a>")
    assert workbook.check_translation("お知らせ", "<!-- hidden -->")
    assert workbook.check_translation("5歳未満", "under 5 years (age < 5)") == []
    assert workbook.check_translation("短い", "y" * 401)
    assert workbook.check_translation("改行", "a\x00b")


def test_the_city_wide_texts_round_trip(demo):
    from madoguchi.catalog.models import City, LifeEvent, NavigatorQuestion

    admin = User.objects.get(email=staff_email("shimin-admin"))
    target = sources.city_for(admin.staff_profile)
    question = NavigatorQuestion.objects.select_related("event").first()
    question_key = f"city:{target.ident}:events.{question.event.slug}.questions.{question.key}.text"
    keys = set(target.texts())
    assert {
        f"city:{target.ident}:name",
        f"city:{target.ident}:events.birth.name",
        question_key,
    } <= keys
    assert any(k.startswith(f"city:{target.ident}:counters.") for k in keys)
    data = fill(
        exported(target),
        {
            (f"city:{target.ident}:notice", "pt-br"): "Demonstração (teste)",
            (f"city:{target.ident}:events.birth.name", "vi"): "Em bé chào đời (thử)",
            (question_key, "ko"): "질문 (시험)",
        },
    )
    report = services.import_workbook(target, upload(data), actor=admin)
    assert not report.refused and report.applied == 3
    assert City.objects.get().notice["pt-br"] == "Demonstração (teste)"
    assert LifeEvent.objects.get(slug="birth").name["vi"] == "Em bé chào đời (thử)"
    question.refresh_from_db()
    assert question.text["ko"] == "질문 (시험)"
