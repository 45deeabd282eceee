"""Workbooks for the tests: exported ones, read back and changed with openpyxl."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from madoguchi.core import languages
from madoguchi.translations import workbook

CODES = [languages.BASE_LANGUAGE, *languages.TRANSLATED_LANGUAGES]


def column_of(code: str) -> int:
    """The 1-based column of a language in an exported workbook (key is 1, ja 2)."""
    return 2 + CODES.index(code)


def book_of(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "translations.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def row_of(book: Workbook, key: str) -> int:
    sheet = book.worksheets[0]
    for number in range(2, sheet.max_row + 1):
        if sheet.cell(row=number, column=1).value == key:
            return number
    raise KeyError(key)


def fill(data: bytes, values: dict[tuple[str, str], Any]) -> bytes:
    """The exported workbook with cells set: (key, language code) → value."""
    book = book_of(data)
    sheet = book.worksheets[0]
    for (key, code), value in values.items():
        sheet.cell(row=row_of(book, key), column=column_of(code), value=value)
    return to_bytes(book)


def hash_column() -> int:
    return len(CODES) + 2


__all__ = [
    "CODES",
    "book_of",
    "column_of",
    "fill",
    "hash_column",
    "row_of",
    "to_bytes",
    "upload",
    "workbook",
]
