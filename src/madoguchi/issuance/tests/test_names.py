"""Names on official documents: every character printed as typed, in a font made for names.

IPAex lacks 𠮷; IPAmj明朝 (the font of 戸籍 and 住民記録 characters) draws it, and variation
sequences (IVS) keep their selector in the text layer. Nothing is ever replaced by another
character: what no installed font can draw refuses the document.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from madoguchi.issuance import pdf

from .pdftext import drawn, font_outline, fonts, pdf_text

NAME = "𠮷田 髙橋 﨑 辻\U000e0100"  # 辻󠄀: 辻 with VS17 (Adobe-Japan1's one-dot 辻)
MJ_SEQUENCE = "辻\U000e0102"  # a sequence IPAmj明朝 registers (its MJ one-dot glyph)
NOTICE = pdf.Notice(
    number="緑ヶ丘市子第2026-000124号", issued_on=dt.date(2026, 11, 24), city_name="緑ヶ丘市",
    department_name="子育て支援課", department_phone="", addressee=NAME,
    title="通学費補助金交付決定通知書",
    body=f"１　対象となる生徒　{NAME}\n２　住所　緑ヶ丘市北山1234番地5 {MJ_SEQUENCE}ハイツ",
    verify_url="https://madoguchi.example.jp/verify/1b4e28ba-2fa1-11d2-883f-0016d3cca428/",
)


def clusters(text: str) -> list[str]:
    return pdf.CLUSTER.findall(text.replace(" ", ""))


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return pdf.render_pdf(NOTICE)


def poppler(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: apt-get install -y poppler-utils "
                    "(scripts/ensure-system-packages.sh test installs it)")
    return subprocess.run([path, *args], check=True, capture_output=True, text=True,  # noqa: S603
                          timeout=60).stdout


def test_the_text_layer_holds_every_character_as_typed(rendered, tmp_path):
    text = pdf_text(rendered).replace("\n", "")  # a font change starts a new text operator
    assert text.count("𠮷田 髙橋 﨑 辻\U000e0100") == 2  # the addressee, and in the body
    assert MJ_SEQUENCE in text
    assert "吉" not in text
    (tmp_path / "n.pdf").write_bytes(rendered)
    text = poppler("pdftotext", "-enc", "UTF-8", str(tmp_path / "n.pdf"), "-")
    assert NAME in text and MJ_SEQUENCE in text and "吉" not in text


def test_every_character_of_the_name_has_its_own_glyph_in_an_embedded_font(rendered):
    shown = drawn(rendered)
    paths = {name: str(path) for name, path in pdf.font_paths().items()}
    for cluster in clusters(NAME) + [MJ_SEQUENCE]:
        uses = [d for d in shown if d.text == cluster]
        assert uses, f"{cluster!r} is not in the text layer"
        for use in uses:
            assert use.embedded, (cluster, use.font)
            assert use.outline, f"{cluster!r} has an empty glyph in {use.font}"
            # The glyph is the one that font draws for exactly this character or sequence.
            font = use.font.split("+")[-1]
            assert use.outline == font_outline(paths[font], cluster), (cluster, font)
    tsuchi_yoshi = next(d for d in shown if d.text == "𠮷")
    assert tsuchi_yoshi.font.endswith("IPAmjMincho")
    assert tsuchi_yoshi.outline != font_outline(paths[pdf.NAME_MINCHO], "吉")


def test_a_registered_variation_sequence_draws_its_own_glyph(rendered):
    paths = {name: str(path) for name, path in pdf.font_paths().items()}
    sequence = next(d for d in drawn(rendered) if d.text == MJ_SEQUENCE)
    assert sequence.font.endswith("IPAmjMincho")
    assert sequence.outline == font_outline(paths[pdf.NAME_MINCHO], MJ_SEQUENCE)
    assert sequence.outline != font_outline(paths[pdf.NAME_MINCHO], "辻")


def test_every_font_is_embedded_by_poppler_too(rendered, tmp_path):
    (tmp_path / "n.pdf").write_bytes(rendered)
    rows = poppler("pdffonts", str(tmp_path / "n.pdf")).splitlines()[2:]
    assert {row.split()[0].split("+")[-1] for row in rows} == {"IPAexGothic", "IPAexMincho",
                                                               "IPAmjMincho"}
    assert all(row.split()[-5] == "yes" for row in rows), rows  # the "emb" column
    assert all(f["embedded"] for f in fonts(rendered))


@pytest.fixture
def ipaex_only(settings, tmp_path: Path) -> None:
    """A machine with IPAex and without IPAmj明朝."""
    directory = tmp_path / "fonts"
    directory.mkdir()
    for name in (pdf.GOTHIC, pdf.MINCHO):
        source = pdf.font_paths()[name]
        (directory / source.name).symlink_to(source)
    settings.ISSUANCE_FONT_DIRS = [str(directory)]


def test_without_ipamj_a_name_that_needs_it_is_refused_not_changed(ipaex_only):
    assert pdf.missing_fonts() == [pdf.NAME_MINCHO]
    for name in ("𠮷田 一郎", "辻\U000e0102"):  # not in IPAex; a sequence IPAex does not know
        with pytest.raises(pdf.FontMissing) as refused:
            pdf.render_pdf(pdf.Notice(**{**NOTICE.__dict__, "addressee": name, "body": "本文"}))
        assert refused.value.packages == ("fonts-ipamj-mincho",)
        assert "sudo apt-get install -y fonts-ipamj-mincho" in refused.value.user_message()


def test_without_ipamj_a_name_ipaex_has_still_prints(ipaex_only):
    data = pdf.render_pdf(pdf.Notice(**{**NOTICE.__dict__, "addressee": "髙橋 﨑 辻\U000e0100",
                                        "body": "本文"}))
    assert "髙橋 﨑 辻\U000e0100" in pdf_text(data)
    assert {f["name"].split("+")[-1] for f in fonts(data)} == {"IPAexGothic", "IPAexMincho"}


def test_a_character_no_font_has_refuses_the_document_and_names_it():
    with pytest.raises(pdf.UnprintableText) as refused:
        pdf.render_pdf(pdf.Notice(**{**NOTICE.__dict__, "body": "生徒　山田\U0001f600\U000f0000"}))
    assert refused.value.clusters == ("\U0001f600", "\U000f0000")
    message = refused.value.user_message()
    assert "U+1F600" in message and "U+F0000" in message


def test_a_variation_selector_is_never_split_from_its_character():
    fonts_ = pdf.available_fonts()
    width = pdf.text_width("あ" * 5, pdf.MINCHO, 10, fonts_)
    lines = pdf.break_lines("あ" * 4 + "辻\U000e0100" + "あ", pdf.MINCHO, 10, width, fonts_)
    assert [line for _indent, line in lines] == ["あ" * 4 + "辻\U000e0100", "あ"]


@pytest.mark.django_db
def test_issuing_a_name_no_font_can_print_is_refused_with_the_character(approved, staff_user):
    from madoguchi.applications.models import Application
    from madoguchi.issuance import services
    from madoguchi.issuance.models import IssuedDocument

    Application.objects.filter(pk=approved.pk).update(applicant_name="山田 \U0001f600子")
    approved.refresh_from_db()
    with pytest.raises(services.IssueRefused) as refused:
        services.issue(approved, "grant", staff_user)
    assert "U+1F600" in refused.value.user_message()
    assert not IssuedDocument.objects.exists()


def test_two_loads_of_one_font_agree_on_what_each_code_stands_for(tmp_path):
    """A font found again in another directory is another reportlab object with the same name;
    whichever of them writes the document, a code must give back the sequence it was drawn for
    (the suite in reverse order once printed 葛󠄀 in the text layer for 辻󠄀)."""
    source = pdf.font_paths()[pdf.MINCHO]
    (tmp_path / source.name).symlink_to(source)
    first = pdf.UnicodeTTFont(pdf.MINCHO, source)
    second = pdf.UnicodeTTFont(pdf.MINCHO, tmp_path / source.name)
    kuzu = first.sequence_char("葛\U000e0100")
    tsuji = second.sequence_char("辻\U000e0100")
    assert kuzu != tsuji
    for font in (first, second):
        assert font.sequence_char("辻\U000e0100") == tsuji
        assert ord(tsuji) in font.face.charToGlyph and ord(kuzu) in font.face.charToGlyph
    data = pdf.render_pdf(pdf.Notice(**{**NOTICE.__dict__, "addressee": "葛\U000e0100 辻\U000e0100",
                                        "body": "本文"}))
    text = pdf_text(data)  # the two may be set in different fonts: separate runs
    assert "葛\U000e0100" in text and "辻\U000e0100" in text
