"""Rendering a notice as an A4 PDF with embedded Japanese fonts and a verification QR code.

"PDF/A-style": the fonts are embedded (as TrueType subsets), nothing is encrypted, no external
resource (image, font, link) is referenced, and the document information (title, author,
subject) and the catalogue's language (ja-JP) are set.

Fonts: IPAex明朝/ゴシック (Debian ``fonts-ipaexfont``) set the text; IPAmj明朝 (Debian
``fonts-ipamj-mincho``, made for the names of 戸籍 and 住民記録) sets the addressee's name and
every character, or variation sequence (IVS), that the text font lacks. A character is never
replaced by another one: what no installed font can draw refuses the whole document
(:class:`FontMissing` or :class:`UnprintableText`). The text layer keeps what was typed,
characters outside the BMP and variation selectors included, so a copy or a search finds it.

Where the fonts are looked for: the ``ISSUANCE_FONT_DIRS`` setting, else the
``MADOGUCHI_FONT_DIRS`` environment variable (directories or font files, separated by
``os.pathsep``), else /usr/share/fonts and /usr/local/share/fonts.
"""

from __future__ import annotations

import abc
import datetime as dt
import functools
import io
import os
import re
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer

from madoguchi.core.dates import display_date

GOTHIC = "IPAexGothic"
MINCHO = "IPAexMincho"
NAME_MINCHO = "IPAmjMincho"
# The file names each font may have, most specific first.
FONT_FILES: dict[str, tuple[str, ...]] = {
    GOTHIC: ("ipaexg.ttf", "fonts-japanese-gothic.ttf"),
    MINCHO: ("ipaexm.ttf", "fonts-japanese-mincho.ttf"),
    NAME_MINCHO: ("ipamjm.ttf",),
}
FONT_PACKAGES: dict[str, str] = {
    GOTHIC: "fonts-ipaexfont", MINCHO: "fonts-ipaexfont", NAME_MINCHO: "fonts-ipamj-mincho",
}
FONT_LABELS: dict[str, str] = {
    GOTHIC: "IPAexゴシック", MINCHO: "IPAex明朝", NAME_MINCHO: "IPAmj明朝",
}
REQUIRED_FONTS = (GOTHIC, MINCHO)
# Which font sets a character (or a variation sequence) that a font lacks.
FALLBACK: dict[str, tuple[str, ...]] = {
    GOTHIC: (NAME_MINCHO,), MINCHO: (NAME_MINCHO,), NAME_MINCHO: (MINCHO,),
}
DEFAULT_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"  # variation selectors (VS1-16, IVS 17-256)
CLUSTER = re.compile(f"[^{SELECTORS}][{SELECTORS}]?|[{SELECTORS}]", re.S)
# Code points that stand for variation sequences inside the PDF (Supplementary Private Use
# Area-A); the text layer maps each back to the sequence.
SEQUENCE_CODES = range(0xF0000, 0xFFFFE)
_SEQUENCES: dict[str, dict[str, int]] = {}
_SEQUENCE_TEXTS: dict[str, dict[int, str]] = {}
_SEQUENCE_FONTS: dict[str, weakref.WeakSet[UnicodeTTFont]] = {}
_SEQUENCE_LOCK = threading.RLock()
MARGIN = 25 * mm
FOOTER_HEIGHT = 38 * mm
QR_SIZE = 28 * mm


class PrintingRefused(Exception, metaclass=abc.ABCMeta):
    """The notice cannot be printed as it must be; :meth:`user_message` says why."""

    @abc.abstractmethod
    def user_message(self) -> str:
        """What staff and residents are told, in their language."""


class FontMissing(PrintingRefused, RuntimeError):
    """Fonts the notice needs are not installed (see :data:`FONT_PACKAGES`)."""

    def __init__(self, fonts: Iterable[str]) -> None:
        self.fonts = tuple(dict.fromkeys(fonts))
        self.packages = tuple(dict.fromkeys(FONT_PACKAGES[f] for f in self.fonts))
        super().__init__(f"fonts not found: {', '.join(self.fonts)}; install the Debian "
                         f"packages {' '.join(self.packages)}")

    @property
    def command(self) -> str:
        return "sudo apt-get install -y " + " ".join(self.packages)

    def user_message(self) -> str:
        """For staff, in the active language: which fonts, which packages, the command."""
        return _("The document cannot be made: the server lacks the fonts %(fonts)s (Debian "
                 "package %(packages)s). Ask an administrator to install them: %(command)s") % {
            "fonts": "、".join(FONT_LABELS[f] for f in self.fonts),
            "packages": " ".join(self.packages), "command": self.command,
        }


def name_font_missing_message() -> str:
    """For staff, in the active language: IPAmj明朝 alone is missing."""
    problem = FontMissing([NAME_MINCHO])
    return _("Names and addresses with characters that IPAex lacks (such as 𠮷) or with "
             "variation selectors cannot be printed: the server lacks the font %(font)s (Debian "
             "package %(package)s). Ask an administrator to install it: %(command)s") % {
        "font": FONT_LABELS[NAME_MINCHO], "package": problem.packages[0],
        "command": problem.command,
    }


class UnprintableText(PrintingRefused, ValueError):
    """Characters that no installed font can draw (they are never replaced by others)."""

    def __init__(self, clusters: Iterable[str]) -> None:
        self.clusters = tuple(dict.fromkeys(clusters))
        super().__init__("no font can draw " + ", ".join(_describe(c) for c in self.clusters))

    def user_message(self) -> str:
        """For staff, in the active language: the characters, with their code points."""
        return _("The document cannot be made: no font on the server can print %(characters)s, "
                 "and an official document never prints another character instead. Check the "
                 "answers and the document template.") % {
            "characters": "、".join(_describe(c) for c in self.clusters),
        }


def _describe(cluster: str) -> str:
    codes = "+".join(f"U+{ord(ch):04X}" for ch in cluster)
    shown = cluster if cluster.isprintable() and not cluster.isspace() else ""
    return f"「{shown}」({codes})" if shown else f"({codes})"


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


# --- Fonts -------------------------------------------------------------------------------------
class UnicodeTTFont(TTFont):
    """A TrueType font that also draws variation sequences and keeps every character in the
    text layer.

    reportlab maps a character to a glyph through the font's Unicode cmap only, and writes a
    ToUnicode map that cannot hold a character outside the BMP. Here a variation sequence the
    font registers (cmap format 14) is drawn with its own glyph, and each PDF code maps back to
    exactly what was typed (UTF-16, surrogate pairs and selectors included).
    """

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(name, str(path))
        self.path = path
        self.variations = _variation_glyphs(str(path))
        # Which code point stands for which sequence is one table per font name, shared by every
        # instance of that name (a font found in another directory is another instance): the
        # instance reportlab writes into a document must read codes another one handed out.
        with _SEQUENCE_LOCK:
            self._sequences = _SEQUENCES.setdefault(name, {})  # sequence -> code point
            self._texts = _SEQUENCE_TEXTS.setdefault(name, {})  # and back
            _SEQUENCE_FONTS.setdefault(name, weakref.WeakSet()).add(self)
            for code, sequence in self._texts.items():
                self._install(code, sequence)

    def has(self, ch: str) -> bool:
        """Whether the font has a glyph for the character (a code point standing for a
        variation sequence, typed as such, is not one)."""
        return ord(ch) in self.face.charToGlyph and ord(ch) not in self._texts

    def registers(self, sequence: str) -> bool:
        """Whether the font's cmap format 14 names a glyph for this variation sequence."""
        return (ord(sequence[0]), ord(sequence[1])) in self.variations

    def sequence_char(self, sequence: str) -> str:
        """The code point to draw ``sequence`` (a base character and a selector) with.

        The font's glyph for the sequence when it registers one, else the base character's
        glyph (Unicode's rule for a sequence a font does not know); the selector stays in the
        text layer either way.
        """
        with _SEQUENCE_LOCK:
            code = self._sequences.get(sequence)
            if code is None:
                fonts = list(_SEQUENCE_FONTS[self.fontName])
                code = next(c for c in SEQUENCE_CODES if c not in self._texts
                            and all(c not in f.face.charToGlyph for f in fonts))
                self._texts[code] = sequence
                self._sequences[sequence] = code
                for font in fonts:
                    font._install(code, sequence)
            return chr(code)

    def _install(self, code: int, sequence: str) -> None:
        """Let this font's face draw ``code`` with the glyph for ``sequence``."""
        face = self.face
        base = ord(sequence[0])
        glyph, width = face.charToGlyph[base], face.getCharWidth(base)
        own = self.variations.get((base, ord(sequence[1])))
        if own is not None:
            glyph, width = own
        face.charToGlyph[code] = glyph
        face.glyphToChar.setdefault(glyph, []).append(code)
        face.charWidths[code] = width

    def addObjects(self, doc) -> None:  # reportlab's PDFDocument
        """reportlab's font objects, with ToUnicode maps that give back what was typed."""
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)
        for number, subset in enumerate(subsets):
            base_name = b"".join((SUBSETN(number), b"+", self.face.name,
                                  self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject["toUnicodeCMap:" + base_name]
            stream.content = _to_unicode_cmap(base_name, subset, self._texts)


def _to_unicode_cmap(name: str, subset: Sequence[int], texts: dict[int, str]) -> str:
    """A ToUnicode CMap for one 256-code subset; at most 100 entries a block, as PDF says."""
    entries = [
        f"<{code:02X}> <{texts.get(point, chr(point)).encode('utf-16-be').hex().upper()}>"
        for code, point in enumerate(subset)
    ]
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        *blocks,
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


@functools.lru_cache(maxsize=8)
def _variation_glyphs(path: str) -> dict[tuple[int, int], tuple[int, float]]:
    """(base, selector) → (glyph, width per 1000 em) from the font's cmap format 14.

    A default variation (the base character's own glyph) maps to that glyph.
    """
    # Lazy for start-up cost: fontTools takes ~50 ms to import, needed once a PDF font loads.
    from fontTools.ttLib import TTFont as FontFile

    font = FontFile(path, lazy=True)
    try:
        table = font["cmap"].getcmap(0, 5)
        if table is None:
            return {}
        best = font.getBestCmap()
        metrics = font["hmtx"]
        scale = 1000 / font["head"].unitsPerEm
        found: dict[tuple[int, int], tuple[int, float]] = {}
        for selector, pairs in table.uvsDict.items():
            for base, glyph_name in pairs:
                name = glyph_name or best.get(base)
                if name is not None:
                    found[(base, selector)] = (font.getGlyphID(name), metrics[name][0] * scale)
        return found
    finally:
        font.close()


def font_dirs() -> tuple[Path, ...]:
    """Where fonts are looked for (see the module's docstring)."""
    configured = getattr(settings, "ISSUANCE_FONT_DIRS", None)
    if configured is None:
        configured = [p for p in os.environ.get("MADOGUCHI_FONT_DIRS", "").split(os.pathsep)
                      if p] or DEFAULT_FONT_DIRS
    return tuple(Path(p) for p in configured)


def _font_files(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """Every font file under ``dirs`` by file name; the first directory wins."""
    found: dict[str, Path] = {}
    for entry in dirs:
        if entry.is_file():
            found.setdefault(entry.name, entry)
            continue
        for root, _subdirs, files in os.walk(entry):
            for name in sorted(files):
                found.setdefault(name, Path(root) / name)
    return found


_FOUND: dict[tuple[Path, ...], dict[str, Path]] = {}  # only complete look-ups are kept
_LOADED: dict[tuple[str, Path], UnicodeTTFont] = {}
_LOADING = threading.Lock()


def font_paths() -> dict[str, Path | None]:
    """Each font's file, or None where it is not installed (looked for again next time)."""
    dirs = font_dirs()
    if dirs in _FOUND:
        return dict(_FOUND[dirs])
    files = _font_files(dirs)
    paths = {
        font: next((files[name] for name in names if name in files), None)
        for font, names in FONT_FILES.items()
    }
    if all(paths.values()):
        _FOUND[dirs] = paths  # type: ignore[assignment]
    return paths


def missing_fonts() -> list[str]:
    """The fonts that are not installed."""
    return [font for font, path in font_paths().items() if path is None]


def available_fonts() -> dict[str, UnicodeTTFont]:
    """The installed fonts, loaded and registered with reportlab.

    Raises FontMissing when a required font (IPAex) is missing, naming IPAmj明朝 too when it is
    also missing; IPAmj明朝 alone missing is left out, and asked for only when a text needs it.
    """
    paths = font_paths()
    if any(paths[font] is None for font in REQUIRED_FONTS):
        raise FontMissing(font for font, path in paths.items() if path is None)  # all at once
    fonts = {}
    with _LOADING:
        for font, path in paths.items():
            if path is None:
                continue
            key = (font, path)
            if key not in _LOADED:
                _LOADED[key] = UnicodeTTFont(font, path)
            fonts[font] = _LOADED[key]
            if pdfmetrics._fonts.get(font) is not fonts[font]:
                pdfmetrics.registerFont(fonts[font])
    return fonts


# --- Setting text in several fonts ---------------------------------------------------------------
def runs(text: str, font_name: str, fonts: dict[str, UnicodeTTFont]) -> list[tuple[str, str]]:
    """``text`` as (font, string to draw) runs: the font's own characters in it, the others in
    its fallback (see :data:`FALLBACK`).

    A variation sequence goes to the first font that registers it, else to IPAmj明朝 with the
    base character's glyph. Raises FontMissing when IPAmj明朝 is needed and not installed, and
    UnprintableText when no font has a character.
    """
    chain = [fonts[name] for name in (font_name, *FALLBACK[font_name]) if name in fonts]
    out: list[tuple[str, str]] = []
    missing: list[str] = []
    for cluster in CLUSTER.findall(text.replace("\t", " ").replace("\r", "")):
        font, drawn = _place(cluster, chain)
        if font is None:
            missing.append(cluster)
        elif out and out[-1][0] == font.fontName:
            out[-1] = (font.fontName, out[-1][1] + drawn)
        else:
            out.append((font.fontName, drawn))
    if missing:
        if NAME_MINCHO not in fonts:
            raise FontMissing([NAME_MINCHO])  # it may well have them: never guess
        raise UnprintableText(missing)
    return out


def _place(cluster: str, chain: list[UnicodeTTFont]) -> tuple[UnicodeTTFont | None, str]:
    if len(cluster) == 1:
        font = next((f for f in chain if f.has(cluster)), None)
        return font, cluster
    font = next((f for f in chain if f.registers(cluster)), None)
    if font is None:
        font = next((f for f in chain if f.fontName == NAME_MINCHO and f.has(cluster[0])), None)
    return (font, font.sequence_char(cluster)) if font else (None, cluster)


def text_width(text: str, font_name: str, size: float, fonts: dict[str, UnicodeTTFont]) -> float:
    """The width of ``text`` set in ``font_name`` with its fallbacks."""
    return sum(pdfmetrics.stringWidth(part, name, size)
               for name, part in runs(text, font_name, fonts))


def check_printable(texts: Iterable[tuple[str, str]], fonts: dict[str, UnicodeTTFont]) -> None:
    """Raise FontMissing or UnprintableText (naming every character) unless each
    (font, text) pair can be printed as it is."""
    missing: list[str] = []
    for font_name, text in texts:
        for line in text.split("\n"):
            try:
                runs(line, font_name, fonts)
            except UnprintableText as exc:
                missing += exc.clusters
    if missing:
        raise UnprintableText(missing)


def draw_text(canvas: Canvas, x: float, y: float, text: str, font_name: str, size: float,
              fonts: dict[str, UnicodeTTFont]) -> float:
    """Draw ``text`` from (x, y), switching fonts where it must; returns its width."""
    start = x
    for name, part in runs(text, font_name, fonts):
        canvas.setFont(name, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, name, size)
    return x - start


# 禁則処理: characters that may not start a line (hung at the end of the previous one instead)
# and characters that may not end one (moved to the next line).
NO_LINE_START = frozenset(
    "、。，．,.）)」』】〕｝}〉》］]・ー々！？!?：；:;"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
NO_LINE_END = frozenset("（(「『【〔｛{〈《［[")
ITEM_PREFIX = re.compile(r"^(?:[0-9０-９]+|[(（][0-9０-９]+[)）]|[ア-ン])[\u3000 ]")
TOKEN = re.compile(f"[A-Za-z0-9@._~:/?#=&%+-]+|{CLUSTER.pattern}", re.S)


def break_lines(text: str, font_name: str, size: float, width: float,
                fonts: dict[str, UnicodeTTFont] | None = None) -> list[tuple[float, str]]:
    """Lines of ``text`` no wider than ``width``, as (indent, line) pairs.

    Breaks between any two characters except inside runs of ASCII letters and digits (words,
    numbers, addresses) and never between a character and its variation selector, follows 禁則
    (NO_LINE_START / NO_LINE_END), and indents the continuation lines of a numbered item
    ("１　…") under its text. Every character, including full-width spaces, is kept as typed.
    """
    fonts = fonts if fonts is not None else available_fonts()
    measure = functools.partial(text_width, font_name=font_name, size=size, fonts=fonts)
    lines: list[tuple[float, str]] = []
    for source in text.replace("\r\n", "\n").split("\n"):
        prefix = ITEM_PREFIX.match(source)
        hang = measure(prefix.group()) if prefix else 0.0
        tokens = TOKEN.findall(source)
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
    """Plain text in one font (and its fallbacks), broken into lines the Japanese way (see
    :func:`break_lines`)."""

    def __init__(self, text: str, font_name: str, size: float, leading: float,
                 align: str = "left", lines: list[tuple[float, str]] | None = None,
                 fonts: dict[str, UnicodeTTFont] | None = None) -> None:
        super().__init__()
        self.text, self.font_name, self.size, self.leading = text, font_name, size, leading
        self.align, self.lines = align, lines
        self.fonts = fonts if fonts is not None else available_fonts()

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self.lines is None:
            self.lines = break_lines(self.text, self.font_name, self.size, avail_width,
                                     self.fonts)
        self.width = avail_width
        return avail_width, len(self.lines) * self.leading

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        fit = int(avail_height // self.leading)
        if fit <= 0:
            return []
        if fit >= len(self.lines):
            return [self]
        return [TextBlock(self.text, self.font_name, self.size, self.leading, self.align, part,
                          self.fonts)
                for part in (self.lines[:fit], self.lines[fit:])]

    def draw(self) -> None:
        top = len(self.lines) * self.leading
        for number, (indent, line) in enumerate(self.lines):
            y = top - (number + 1) * self.leading + (self.leading - self.size) / 2 + 1
            x = indent
            if self.align != "left":
                line_width = text_width(line, self.font_name, self.size, self.fonts)
                x = self.width - line_width if self.align == "right" else \
                    (self.width - line_width) / 2
            draw_text(self.canv, x, y, line, self.font_name, self.size, self.fonts)


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


def _footer_lines(notice: Notice) -> list[tuple[str, float, str]]:
    with translation.override("ja"):
        return [
            (GOTHIC, 10, _("Document number: %(number)s") % {"number": notice.number}),
            (MINCHO, 8.5, _("This document carries the electronic signature of %(city)s.")
             % {"city": notice.city_name}),
            (MINCHO, 8.5, _("Check who issued it and that it is unaltered with the QR code "
                            "or at this address:")),
            (MINCHO, 8, notice.verify_url),
        ]


def _footer(notice: Notice, fonts: dict[str, UnicodeTTFont]):  # a page callback
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        width, _height = A4
        bottom = 15 * mm
        canvas.saveState()
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.line(MARGIN, bottom + QR_SIZE + 4 * mm, width - MARGIN, bottom + QR_SIZE + 4 * mm)
        _draw_qr(canvas, notice.verify_url, MARGIN, bottom, QR_SIZE)
        text_x = MARGIN + QR_SIZE + 4 * mm
        y = bottom + QR_SIZE - 6 * mm
        room = width - MARGIN - text_x
        for font, size, text in _footer_lines(notice):
            # A long site address is set smaller rather than run off the page.
            size = min(size, room / max(text_width(text, font, 1, fonts), 1))
            draw_text(canvas, text_x, y, text, font, size, fonts)
            y -= size + 4.5
        canvas.setFont(MINCHO, 8)
        canvas.drawRightString(width - MARGIN, bottom, f"{doc.page}")
        canvas.restoreState()

    return draw


def render_pdf(notice: Notice) -> bytes:
    """An A4 PDF of ``notice`` (unsigned).

    Raises FontMissing or UnprintableText (before anything is drawn) when a character cannot be
    printed as it is.
    """
    fonts = available_fonts()
    # The addressee's name in the font made for names, when it is installed.
    name_font = NAME_MINCHO if NAME_MINCHO in fonts else MINCHO
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
    blocks = [
        (notice.number, MINCHO, 10.5, 18, "right", 0),
        (issued_on, MINCHO, 10.5, 18, "right", 10 * mm),
        (addressee, name_font, 12.5, 20, "left", 6 * mm),
        (issuer, GOTHIC, 12, 18, "right", 14 * mm),
        (notice.title, GOTHIC, 16, 24, "center", 10 * mm),
        (notice.body, MINCHO, 10.5, 18.5, "left", 12 * mm),
        (contact, MINCHO, 10.5, 18, "right", 0),
    ]
    check_printable([(font, text) for text, font, *_rest in blocks]
                    + [(font, text) for font, _size, text in _footer_lines(notice)], fonts)
    story: list[Flowable] = []
    for text, font, size, leading, align, space_after in blocks:
        story.append(TextBlock(text, font, size, leading, align, fonts=fonts))
        if space_after:
            story.append(Spacer(1, space_after))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=FOOTER_HEIGHT + 15 * mm,
        title=f"{notice.title}（{notice.number}）", author=notice.city_name,
        subject=notice.number, creator="Madoguchi", keywords=[notice.number],
        lang="ja-JP", displayDocTitle=True, encrypt=None, initialFontName=MINCHO,
        initialFontSize=10.5,
    )
    footer = _footer(notice, fonts)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- Certificates printed from the resident registry (住民票の写し) ---------------------------
@dataclass(frozen=True)
class Certificate:
    """A certificate as printed: a title, boxes of (label, value) rows in sections, and the
    attestation (認証文) signed off by the mayor with the date and the document number."""

    number: str
    issued_on: dt.date
    city_name: str
    department_name: str
    title: str
    sections: tuple[tuple[tuple[str, str], ...], ...]
    attestation: str
    note: str = ""


LABEL_WIDTH = 38 * mm
CELL_PAD = 2 * mm


class Rows(Flowable):  # type: ignore[misc]  # reportlab has no types
    """Boxed (label, value) rows; values set in the name font so 外字 and 異体字 print as
    registered. Split between rows across pages."""

    def __init__(self, rows: Sequence[tuple[str, str]], fonts: dict[str, UnicodeTTFont],
                 value_font: str, size: float = 10.5) -> None:
        super().__init__()
        self.rows, self.fonts, self.value_font, self.size = list(rows), fonts, value_font, size
        self.leading = size * 1.5
        self.laid: list[tuple[list[tuple[float, str]], list[tuple[float, str]], float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        value_width = avail_width - LABEL_WIDTH - 2 * CELL_PAD
        self.laid = []
        for label, value in self.rows:
            left = break_lines(label, GOTHIC, self.size - 1, LABEL_WIDTH - 2 * CELL_PAD,
                               self.fonts)
            right = break_lines(value or "—", self.value_font, self.size, value_width,
                                self.fonts)
            height = max(len(left), len(right)) * self.leading + 2 * CELL_PAD
            self.laid.append((left, right, height))
        self.height = sum(h for _l, _r, h in self.laid)
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        used, fit = 0.0, 0
        for _left, _right, height in self.laid:
            if used + height > avail_height:
                break
            used, fit = used + height, fit + 1
        if fit == 0:
            return []
        if fit >= len(self.rows):
            return [self]
        return [Rows(self.rows[:fit], self.fonts, self.value_font, self.size),
                Rows(self.rows[fit:], self.fonts, self.value_font, self.size)]

    def draw(self) -> None:
        canvas = self.canv
        top = self.height
        canvas.setStrokeColorRGB(0.3, 0.3, 0.3)
        canvas.setLineWidth(0.6)
        for left, right, height in self.laid:
            bottom = top - height
            canvas.setFillColorRGB(0.93, 0.93, 0.93)
            canvas.rect(0, bottom, LABEL_WIDTH, height, stroke=1, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
            canvas.rect(LABEL_WIDTH, bottom, self.width - LABEL_WIDTH, height, stroke=1, fill=0)
            for column, lines, font, size in ((0, left, GOTHIC, self.size - 1),
                                              (LABEL_WIDTH, right, self.value_font, self.size)):
                for index, (indent, line) in enumerate(lines):
                    y = top - CELL_PAD - (index + 1) * self.leading + (self.leading - size) / 2 + 1
                    draw_text(canvas, column + CELL_PAD + indent, y, line, font, size,
                              self.fonts)
            top = bottom


def render_certificate(certificate: Certificate) -> bytes:
    """An A4 PDF of ``certificate`` (unsigned: it is printed and posted on paper).

    Raises FontMissing or UnprintableText (before anything is drawn) when a character cannot be
    printed as it is: a registered name is never printed with another character.
    """
    fonts = available_fonts()
    value_font = NAME_MINCHO if NAME_MINCHO in fonts else MINCHO
    with translation.override("ja"):
        issued_on = display_date(certificate.issued_on)
        issuer = _("Mayor of %(city)s") % {"city": certificate.city_name}
        number = _("Document number: %(number)s") % {"number": certificate.number}
    values = [(value_font, v) for section in certificate.sections for _label, v in section]
    labels = [(GOTHIC, label) for section in certificate.sections for label, _v in section]
    check_printable([(MINCHO, certificate.title), (MINCHO, certificate.attestation),
                     (MINCHO, certificate.note), (MINCHO, issued_on), (GOTHIC, issuer),
                     (MINCHO, number), *values, *labels], fonts)
    story: list[Flowable] = [
        TextBlock(number, MINCHO, 9.5, 14, "right", fonts=fonts),
        Spacer(1, 6 * mm),
        TextBlock(certificate.title, GOTHIC, 18, 26, "center", fonts=fonts),
        Spacer(1, 8 * mm),
    ]
    for section in certificate.sections:
        story += [Rows(section, fonts, value_font), Spacer(1, 5 * mm)]
    if certificate.note:
        story += [TextBlock(certificate.note, MINCHO, 9.5, 15, fonts=fonts), Spacer(1, 5 * mm)]
    story += [
        TextBlock(certificate.attestation, MINCHO, 11, 18, fonts=fonts),
        Spacer(1, 4 * mm),
        TextBlock(issued_on, MINCHO, 11, 18, "right", fonts=fonts),
        TextBlock(issuer, GOTHIC, 13, 20, "right", fonts=fonts),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"{certificate.title}（{certificate.number}）",
        author=certificate.city_name, subject=certificate.number, creator="Madoguchi",
        keywords=[certificate.number], lang="ja-JP", displayDocTitle=True, encrypt=None,
        initialFontName=MINCHO, initialFontSize=10.5,
    )

    def page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(MINCHO, 8)
        canvas.drawRightString(A4[0] - MARGIN, 12 * mm, f"{certificate.number} - {doc.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()
