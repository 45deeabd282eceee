"""Rendering: Japanese text, embedded fonts, metadata, and what a template body may use."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from madoguchi.issuance import content, pdf

from .pdftext import fonts, pdf_text

NOTICE = pdf.Notice(
    number="緑ヶ丘市子第2026-000123号", issued_on=dt.date(2026, 11, 23), city_name="緑ヶ丘市",
    department_name="子育て支援課", department_phone="0199-12-3462", addressee="髙﨑 𠮷男",
    title="通学費補助金交付決定通知書",
    body="　審査の結果、次のとおり交付することに決定したので通知します。\n\n"
         "１　学校名　<緑ヶ丘> & (高校)\\",
    verify_url="https://madoguchi.example.jp/verify/1b4e28ba-2fa1-11d2-883f-0016d3cca427/",
)


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return pdf.render_pdf(NOTICE)


def test_the_text_is_there_in_japanese(rendered):
    text = pdf_text(rendered)
    for expected in ("緑ヶ丘市子第2026-000123号", "令和8年（2026年）11月23日",
                     "通学費補助金交付決定通知書",
                     "審査の結果、次のとおり交付することに決定したので通知します。",
                     "<緑ヶ丘> & (高校)\\", "子育て支援課", NOTICE.verify_url):
        assert expected in text, expected


def test_the_addressee_is_printed_as_typed(rendered):
    assert "髙﨑 𠮷男" in pdf_text(rendered)  # 𠮷 is not in IPAex: IPAmj明朝 has it


def test_every_font_is_an_embedded_truetype_font(rendered):
    used = fonts(rendered)
    assert {f["name"].split("+")[-1] for f in used} == {"IPAexGothic", "IPAexMincho",
                                                         "IPAmjMincho"}
    assert all(f["embedded"] and f["subtype"] == "/TrueType" for f in used), used


def test_document_information_language_and_no_encryption(rendered):
    reader = PdfFileReader(io.BytesIO(rendered))
    info = reader.trailer["/Info"]
    assert str(info["/Title"]) == "通学費補助金交付決定通知書（緑ヶ丘市子第2026-000123号）"
    assert str(info["/Author"]) == "緑ヶ丘市"
    assert str(reader.root["/Lang"]) == "ja-JP"
    assert "/Encrypt" not in reader.trailer
    for forbidden in (b"/URI", b"/Launch", b"/JavaScript", b"/GoToR", b"/XObject"):
        assert forbidden not in rendered, forbidden
    assert rendered.startswith(b"%PDF-")


def test_text_is_set_in_runs_of_fonts_and_never_changed():
    fonts_ = pdf.available_fonts()
    assert pdf.runs("𠮷田", pdf.MINCHO, fonts_) == [(pdf.NAME_MINCHO, "𠮷"), (pdf.MINCHO, "田")]
    runs = pdf.runs("葛\U000e0100城", pdf.MINCHO, fonts_)
    assert [name for name, _text in runs] == [pdf.MINCHO]  # IPAex registers this sequence
    with pytest.raises(pdf.UnprintableText):
        pdf.runs("😀", pdf.MINCHO, fonts_)  # no glyph anywhere: refused, never 〓


def test_body_renders_documented_variables_without_escaping():
    body = "{{ applicant_name }}様 {{ answers.school }} {{ reason }} {{ secret }}"
    rendered = content.render_body(body, {"applicant_name": "山田 太郎", "reason": "<理由> & 'x'",
                                          "answers": {"school": "緑ヶ丘高校"}})
    assert rendered == "山田 太郎様 緑ヶ丘高校 <理由> & 'x'"


@pytest.mark.parametrize("body", [
    "{% include 'base.html' %}", "{% load static %}{% static 'x' %}", "{% if %}", "{{ a|nosuch }}",
])
def test_body_cannot_reach_templates_or_libraries(body):
    with pytest.raises(content.TemplateBodyError):
        content.render_body(body, {"a": 1})


def test_long_bodies_flow_onto_more_pages():
    long = pdf.Notice(**{**NOTICE.__dict__, "body": "長い本文が続きます。" * 600})
    reader = PdfFileReader(io.BytesIO(pdf.render_pdf(long)))
    assert int(reader.root["/Pages"]["/Count"]) > 1


def test_full_width_spaces_and_indents_are_kept():
    text = pdf_text(pdf.render_pdf(pdf.Notice(**{**NOTICE.__dict__,
                                                 "body": "　字下げ\n１　受付番号　2026"})))
    assert "　字下げ" in text
    assert "１　受付番号　2026" in text
    assert content.render_body("\n　{{ a }}\n\n", {"a": "本文"}) == "　本文"


def test_lines_break_the_japanese_way():
    pdf.available_fonts()
    width = pdf.pdfmetrics.stringWidth("あ" * 10, pdf.MINCHO, 10)
    lines = [line for _indent, line in pdf.break_lines("あ" * 10 + "。次", pdf.MINCHO, 10, width)]
    assert lines == ["あ" * 10 + "。", "次"]  # 。 never starts a line
    lines = [line for _i, line in pdf.break_lines("あ" * 9 + "「引用」", pdf.MINCHO, 10, width)]
    assert lines[0] == "あ" * 9 and lines[1].startswith("「")  # 「 never ends a line
    url = "https://madoguchi.example.jp/verify/x/"
    lines = [line for _i, line in pdf.break_lines("確認：" + url, pdf.MINCHO, 10, width * 3)]
    assert any(line.endswith(url) for line in lines)  # an address is not cut where it fits
    item = pdf.break_lines("１　" + "あ" * 30, pdf.MINCHO, 10, width)
    assert item[0][0] == 0 and all(indent > 0 for indent, _line in item[1:])
    assert "".join(line for _i, line in item) == "１　" + "あ" * 30
