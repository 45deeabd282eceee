"""Rendering a notice as an A4 PDF with embedded Japanese fonts and a verification QR code.

"PDF/A-style": the IPAex fonts are embedded (as TrueType subsets), nothing is encrypted, no
external resource (image, font, link) is referenced, and the document information (title,
author, subject) and the catalogue's language (ja-JP) are set.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

import segno
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer

from madoguchi.core.dates import display_date
from madoguchi.jp.names import ITAIJI_FOLD

GOTHIC = "IPAexGothic"
MINCHO = "IPAexMincho"
FONT_FILES: dict[str, tuple[str, ...]] = {
    GOTHIC: ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
             "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
    MINCHO: ("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
             "/usr/share/fonts/truetype/fonts-japanese-mincho.ttf"),
}
# 〓 (ゲタ記号) stands, as in Japanese typesetting, for a character the font does not have.
GETA = "〓"
MARGIN = 25 * mm
FOOTER_HEIGHT = 38 * mm
QR_SIZE = 28 * mm


class FontMissing(RuntimeError):
    """The IPAex fonts (Debian package fonts-ipaexfont) are not installed."""


@dataclass(frozen=True)
class Notice:
    """Everything printed on one notice."""

    number: str
    issued_on: dt.date
    city_name: str
    department_name: str
    department_phone: str
    addressee: str
    title: str
    body: str
    verify_url: str


@functools.cache
def _register_fonts() -> dict[str, TTFont]:
    fonts = {}
    for name, candidates in FONT_FILES.items():
        path = next((p for p in candidates if Path(p).is_file()), None)
        if path is None:
            raise FontMissing(f"{name} not found; install the Debian package fonts-ipaexfont")
        font = TTFont(name, path)
        pdfmetrics.registerFont(font)
        fonts[name] = font
    return fonts


def printable(text: str, font_name: str = MINCHO) -> str:
    """``text`` with every character the font lacks replaced by a common form or 〓.

    𠮷 (U+20BB7), missing from IPAex, becomes 吉 through the same 異体字 table used for name
    search; a character with no known common form becomes 〓. Variation selectors are dropped.
    """
    glyphs = _register_fonts()[font_name].face.charToGlyph
    out = []
    for ch in text:
        cp = ord(ch)
        if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
            continue
        if cp in glyphs or ch in "\n\r\t ":
            out.append(ch)
        elif ord(ITAIJI_FOLD.get(ch, "\0")) in glyphs:
            out.append(ITAIJI_FOLD[ch])
        else:
            out.append(GETA)
    return "".join(out)


# 禁則処理: characters that may not start a line (hung at the end of the previous one instead)
# and characters that may not end one (moved to the next line).
NO_LINE_START = frozenset(
    "、。，．,.）)」』】〕｝}〉》］]・ー々！？!?：；:;"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
NO_LINE_END = frozenset("（(「『【〔｛{〈《［[")
ITEM_PREFIX = re.compile(r"^(?:[0-9０-９]+|[(（][0-9０-９]+[)）]|[ア-ン])[\u3000 ]")


def break_lines(text: str, font_name: str, size: float, width: float) -> list[tuple[float, str]]:
    """Lines of ``text`` no wider than ``width``, as (indent, line) pairs.

    Breaks between any two characters except inside runs of ASCII letters and digits (words,
    numbers, addresses), follows 禁則 (NO_LINE_START / NO_LINE_END), and indents the continuation
    lines of a numbered item ("１　…") under its text. Every character, including full-width
    spaces, is kept as typed.
    """
    measure = functools.partial(pdfmetrics.stringWidth, fontName=font_name, fontSize=size)
    lines: list[tuple[float, str]] = []
    for source in text.replace("\r\n", "\n").split("\n"):
        prefix = ITEM_PREFIX.match(source)
        hang = measure(prefix.group()) if prefix else 0.0
        tokens = re.findall(r"[A-Za-z0-9@._~:/?#=&%+-]+|.", source)
        indent, current = 0.0, ""
        for token in tokens:
            if not current or measure(current + token) <= width - indent:
                current += token
                continue
            if token[0] in NO_LINE_START and measure(current + token[0]) <= width - indent + size:
                current, token = current + token[0], token[1:]
                if not token:
                    continue
            carry = ""
            while current and current[-1] in NO_LINE_END and len(current) > 1:
                current, carry = current[:-1], current[-1] + carry
            lines.append((indent, current))
            indent, current = hang, carry + token
            while measure(current) > width - indent and len(current) > 1:  # an overlong word
                cut = len(current) - 1
                while cut > 1 and measure(current[:cut]) > width - indent:
                    cut -= 1
                lines.append((indent, current[:cut]))
                current = current[cut:]
        lines.append((indent, current))
    return lines


class TextBlock(Flowable):
    """Plain text in one font, broken into lines the Japanese way (see :func:`break_lines`)."""

    def __init__(self, text: str, font_name: str, size: float, leading: float,
                 align: str = "left", lines: list[tuple[float, str]] | None = None) -> None:
        super().__init__()
        self.text, self.font_name, self.size, self.leading = text, font_name, size, leading
        self.align, self.lines = align, lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self.lines is None:
            self.lines = break_lines(printable(self.text, self.font_name), self.font_name,
                                     self.size, avail_width)
        self.width = avail_width
        return avail_width, len(self.lines) * self.leading

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        fit = int(avail_height // self.leading)
        if fit <= 0:
            return []
        if fit >= len(self.lines):
            return [self]
        return [TextBlock(self.text, self.font_name, self.size, self.leading, self.align, part)
                for part in (self.lines[:fit], self.lines[fit:])]

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(self.font_name, self.size)
        top = len(self.lines) * self.leading
        for number, (indent, line) in enumerate(self.lines):
            y = top - (number + 1) * self.leading + (self.leading - self.size) / 2 + 1
            if self.align == "right":
                canvas.drawRightString(self.width, y, line)
            elif self.align == "center":
                canvas.drawCentredString(self.width / 2, y, line)
            else:
                canvas.drawString(indent, y, line)


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles (no image), quiet zone included in ``size``."""
    qr = segno.make(url, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + start * module, top, (c - start) * module, module)
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, fill=1, stroke=0)
    canvas.restoreState()


def _footer(notice: Notice):  # noqa: ANN202 - a reportlab page callback
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        width, _height = A4
        bottom = 15 * mm
        canvas.saveState()
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.line(MARGIN, bottom + QR_SIZE + 4 * mm, width - MARGIN, bottom + QR_SIZE + 4 * mm)
        _draw_qr(canvas, notice.verify_url, MARGIN, bottom, QR_SIZE)
        text_x = MARGIN + QR_SIZE + 4 * mm
        with translation.override("ja"):
            lines = [
                (GOTHIC, 10, _("Document number: %(number)s") % {"number": notice.number}),
                (MINCHO, 8.5, _("This document carries the electronic signature of %(city)s.")
                 % {"city": notice.city_name}),
                (MINCHO, 8.5, _("Check who issued it and that it is unaltered with the QR code "
                                "or at this address:")),
                (MINCHO, 8, notice.verify_url),
            ]
        y = bottom + QR_SIZE - 6 * mm
        room = width - MARGIN - text_x
        for font, size, text in lines:
            text = printable(text, font)
            # A long site address is set smaller rather than run off the page.
            size = min(size, room / max(pdfmetrics.stringWidth(text, font, 1), 1))
            canvas.setFont(font, size)
            canvas.drawString(text_x, y, text)
            y -= size + 4.5
        canvas.setFont(MINCHO, 8)
        canvas.drawRightString(width - MARGIN, bottom, f"{doc.page}")
        canvas.restoreState()

    return draw


def render_pdf(notice: Notice) -> bytes:
    """An A4 PDF of ``notice`` (unsigned)."""
    _register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=FOOTER_HEIGHT + 15 * mm,
        title=f"{notice.title}（{notice.number}）", author=notice.city_name,
        subject=notice.number, creator="Madoguchi", keywords=[notice.number],
        lang="ja-JP", displayDocTitle=True, encrypt=None, initialFontName=MINCHO,
        initialFontSize=10.5,
    )
    with translation.override("ja"):
        issued_on = display_date(notice.issued_on)
        addressee = _("To %(name)s") % {"name": notice.addressee}
        issuer = _("Mayor of %(city)s") % {"city": notice.city_name}
        contact = (
            _("Contact: %(department)s, phone %(phone)s")
            % {"department": notice.department_name, "phone": notice.department_phone}
            if notice.department_phone
            else _("Contact: %(department)s") % {"department": notice.department_name}
        )
    story = [
        TextBlock(notice.number, MINCHO, 10.5, 18, "right"),
        TextBlock(issued_on, MINCHO, 10.5, 18, "right"),
        Spacer(1, 10 * mm),
        TextBlock(addressee, MINCHO, 12.5, 20),
        Spacer(1, 6 * mm),
        TextBlock(issuer, GOTHIC, 12, 18, "right"),
        Spacer(1, 14 * mm),
        TextBlock(notice.title, GOTHIC, 16, 24, "center"),
        Spacer(1, 10 * mm),
        TextBlock(notice.body, MINCHO, 10.5, 18.5),
        Spacer(1, 12 * mm),
        TextBlock(contact, MINCHO, 10.5, 18, "right"),
    ]
    footer = _footer(notice)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
