"""Reading PDFs in tests without poppler: text through the fonts' ToUnicode maps, fonts, and
the glyph drawn for each code (from the embedded font program, read with fontTools)."""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from typing import Any

from fontTools.ttLib import TTFont as FontFile
from pyhanko.pdf_utils.reader import PdfFileReader

_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|/[^\s/\[\]()<>]+|\[|\]|[^\s/\[\]()<>]+",
                    re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(token: bytes) -> bytes:
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i:i + 1]
        if ch != b"\\":
            out += ch
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", body[i + 1:i + 4]).group()
            out.append(int(digits, 8) & 0xFF)
            i += 1 + len(digits)
        else:
            out += _ESCAPES.get(nxt, nxt)
            i += 2
    return bytes(out)


def _string(token: bytes) -> bytes:
    if token.startswith(b"("):
        return _literal(token)
    return bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())


def _cmap(font: Any) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    data = font["/ToUnicode"].get_object().data
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                      block):
            start = int.from_bytes(bytes.fromhex(dst.decode()), "big")
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _font_dict(page: Any) -> dict[str, Any]:
    resources = page["/Resources"]
    resources = resources.get_object() if hasattr(resources, "get_object") else resources
    font_dict = resources.get("/Font", {})
    return font_dict.get_object() if hasattr(font_dict, "get_object") else font_dict


def _pages(reader: PdfFileReader) -> list[Any]:
    pages, stack = [], [reader.root["/Pages"]]
    while stack:
        node = stack.pop(0)
        if node.get("/Type") == "/Pages":
            stack[:0] = [kid.get_object() for kid in node["/Kids"]]
        else:
            pages.append(node)
    return pages


def _contents(page: Any) -> bytes:
    contents = page["/Contents"]
    contents = contents.get_object() if hasattr(contents, "get_object") else contents
    if isinstance(contents, list):
        return b"\n".join(c.get_object().data for c in contents)
    return contents.data


def pdf_text(data: bytes) -> str:
    """The text drawn on every page, in drawing order; a new line per text operator."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    lines = []
    for page in _pages(reader):
        fonts = {name: _cmap(ref.get_object())
                 for name, ref in _font_dict(page).items()}
        cmap: dict[int, str] = {}
        operands: list[bytes] = []
        for token in _TOKEN.findall(_contents(page)):
            if token == b"Tf":
                cmap = fonts.get(operands[-2].decode(), {}) if len(operands) >= 2 else {}
                operands = []
            elif token in (b"Tj", b"'", b'"', b"TJ"):
                strings = [t for t in operands if t[:1] in (b"(", b"<")]
                lines.append("".join(cmap.get(b, chr(b)) for s in strings for b in _string(s)))
                operands = []
            elif token in (b"[", b"]"):
                continue
            elif token[:1].isalpha() and token not in (b"true", b"false", b"null"):
                operands = []
            else:
                operands.append(token)
    return "\n".join(lines)


def fonts(data: bytes) -> list[dict[str, Any]]:
    """Each font used on the pages: its name, whether its file is embedded and its subtype."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found = {}
    for page in _pages(reader):
        for ref in _font_dict(page).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = {"name": str(font["/BaseFont"]),
                                             "subtype": str(font["/Subtype"]),
                                             "embedded": embedded}
    return list(found.values())


@dataclass(frozen=True)
class Drawn:
    """One code shown on a page: the text it stands for and the glyph drawn for it."""

    text: str
    font: str  # the font's /BaseFont, e.g. AAAAAA+IPAmjMincho
    embedded: bool
    outline: tuple[tuple[float, float], ...]  # the glyph's points (empty: nothing drawn)


def _embedded_glyphs(font: Any) -> tuple[bool, dict[int, tuple[tuple[float, float], ...]]]:
    """Whether a simple TrueType font is embedded, and each code's glyph outline in it."""
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    if "/FontFile2" not in descriptor:
        return False, {}
    program = FontFile(io.BytesIO(descriptor["/FontFile2"].get_object().data))
    glyf = program["glyf"]
    outlines = {}
    for table in program["cmap"].tables:
        for code, name in table.cmap.items():
            coordinates, _ends, _flags = glyf[name].getCoordinates(glyf)
            outlines.setdefault(code, tuple(tuple(point) for point in coordinates))
    return True, outlines


def drawn(data: bytes) -> list[Drawn]:
    """Every code shown on every page, with its text (ToUnicode) and its embedded glyph."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    shown: list[Drawn] = []
    for page in _pages(reader):
        fonts = {}
        for name, ref in _font_dict(page).items():
            font = ref.get_object()
            fonts[name] = (str(font["/BaseFont"]), _cmap(font), *_embedded_glyphs(font))
        current = None
        operands: list[bytes] = []
        for token in _TOKEN.findall(_contents(page)):
            if token == b"Tf":
                current = fonts.get(operands[-2].decode()) if len(operands) >= 2 else None
                operands = []
            elif token in (b"Tj", b"'", b'"', b"TJ"):
                for string in (t for t in operands if t[:1] in (b"(", b"<")):
                    for code in _string(string):
                        base, cmap, embedded, outlines = current
                        shown.append(Drawn(cmap.get(code, ""), base, embedded,
                                           outlines.get(code, ())))
                operands = []
            elif token in (b"[", b"]"):
                continue
            elif token[:1].isalpha() and token not in (b"true", b"false", b"null"):
                operands = []
            else:
                operands.append(token)
    return shown


@functools.lru_cache(maxsize=4)
def _font_file(path: str) -> FontFile:
    return FontFile(path, lazy=True)


def font_outline(path: str, text: str) -> tuple[tuple[float, float], ...]:
    """The outline a font file draws for ``text`` (a character, or one with a variation
    selector as the font's cmap format 14 maps it), for comparison with :func:`drawn`."""
    program = _font_file(path)
    cmap = program["cmap"]
    name = cmap.getBestCmap()[ord(text[0])]
    if len(text) == 2:
        sequences = cmap.getcmap(0, 5).uvsDict.get(ord(text[1]), [])
        name = next((glyph or name for base, glyph in sequences if base == ord(text[0])), name)
    glyf = program["glyf"]
    coordinates, _ends, _flags = glyf[name].getCoordinates(glyf)
    return tuple(tuple(point) for point in coordinates)
