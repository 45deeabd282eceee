"""The translation workbook (.xlsx): one sheet, one row per text, one column per language.

Columns: ``key`` (stable, e.g. ``form:12:fields.child_name.label``), ``ja`` (the Japanese
source, locked), one column per other language (the only cells a translator can edit), and
``source_hash`` (hidden, locked): the hash of the Japanese at export, so an import can tell a
translation made from Japanese that changed since. The header row and the key and Japanese
columns are frozen; no formulas, no macros, no data validations.

Reading is defensive (:mod:`madoguchi.core.xlsx` checks the container first) and collects every
problem, each named by row and column, before anything is applied.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from madoguchi.core import languages, xlsx

KEY_HEADING = "key"
HASH_HEADING = "source_hash"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
MAX_ROWS = 5000  # read no further, whatever the target
MAX_COLUMNS = 30
MAX_TEXT = 8000  # characters of one translation, whatever its source
HASH_PATTERN = re.compile(r"^[0-9a-f]{16}$")
# Markup: any HTML/XML tag, comment or declaration (<script>, <b>, </p>, <!-- -->, <!DOCTYPE>).
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>|<\s*script", re.IGNORECASE)
# Placeholders a text may carry for the program to fill in.
PLACEHOLDER = re.compile(r"%\([A-Za-z0-9_]+\)[sdifr]|%[sdif]|\{[A-Za-z0-9_.]*\}")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def source_hash(text: str) -> str:
    """The hash of a Japanese source text as the workbook carries it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def text_limit(source: str) -> int:
    """The longest translation accepted for ``source``: generous (five times, at least 400
    characters: Vietnamese or Portuguese take more letters than Japanese), but bounded."""
    return min(MAX_TEXT, max(400, 5 * len(source)))


def heading(code: str) -> str:
    language = languages.BY_CODE[code]
    return f"{code} {language.native_name}"


# --- Export.

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
SOURCE_FILL = PatternFill("solid", fgColor="F2F2F2")


def export_workbook(sheet_name: str, texts: dict[str, dict[str, str]]) -> bytes:
    """The texts (row key → {language: text}) as .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name[:31]
    columns = [
        KEY_HEADING,
        heading(languages.BASE_LANGUAGE),
        *(heading(code) for code in languages.TRANSLATED_LANGUAGES),
        HASH_HEADING,
    ]
    widths = [34, 48, *([48] * len(languages.TRANSLATED_LANGUAGES)), 18]
    for index, (title, width) in enumerate(zip(columns, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    hash_column = len(columns)
    for number, (key, value) in enumerate(texts.items(), start=2):
        japanese = value.get(languages.BASE_LANGUAGE, "")
        row = [
            key,
            japanese,
            *(value.get(code, "") for code in languages.TRANSLATED_LANGUAGES),
            source_hash(japanese),
        ]
        for index, text in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=index)
            cell.value = text or None
            if text:
                cell.data_type = "s"  # a text starting with "=" stays a text, never a formula
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            editable = 2 < index < hash_column
            cell.protection = Protection(locked=not editable)
            if index == 2:
                cell.fill = SOURCE_FILL
    sheet.freeze_panes = "C2"
    sheet.column_dimensions[get_column_letter(hash_column)].hidden = True
    # Only the translation cells can be edited (no password: this is a guard against slips;
    # the import never reads the Japanese or trusts the hash beyond flagging stale rows).
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.formatCells = False
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Import.


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Row:
    number: int
    key: str
    source_hash: str
    texts: dict[str, str]  # language → translation (empty: none given)


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _cell_text(cell: Any) -> tuple[str, bool]:
    """(text, is text): an empty cell is ``("", True)``; a number, date or boolean is not."""
    value = getattr(cell, "value", None)
    if value is None:
        return "", True
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n"), True
    return "", False


def _header(cells: list[Any], problems: list[Problem]) -> dict[int, str]:
    """Column index → ``key`` / ``source_hash`` / language code; problems for the rest."""
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        letter = get_column_letter(index + 1)
        if xlsx.is_formula(cell):
            problems.append(Problem(1, letter, _("Formulas cannot be imported.")))
            continue
        text, is_text = _cell_text(cell)
        if not is_text:
            problems.append(Problem(1, letter, _("A heading must be text.")))
            continue
        text = text.strip()
        if not text:
            continue
        token = text.split(maxsplit=1)[0]
        name = token if token in (KEY_HEADING, HASH_HEADING) else languages.normalize(token)
        if not name or (
            token not in (KEY_HEADING, HASH_HEADING) and token.lower() not in languages.BY_CODE
        ):
            problems.append(
                Problem(
                    1,
                    letter,
                    _(
                        "“%(heading)s” is no column of a translation "
                        "workbook: use a language code such as "
                        "“vi”."
                    )
                    % {"heading": text[:40]},
                )
            )
            continue
        if name in seen:
            problems.append(
                Problem(
                    1,
                    letter,
                    _("The column “%(name)s” appears twice (also column %(other)s).")
                    % {"name": name, "other": get_column_letter(seen[name] + 1)},
                )
            )
            continue
        seen[name] = index
        columns[index] = name
    for required in (KEY_HEADING, languages.BASE_LANGUAGE, HASH_HEADING):
        if required not in seen:
            problems.append(
                Problem(
                    1,
                    "",
                    _(
                        "The column “%(name)s” is missing: export the "
                        "workbook again and keep its columns."
                    )
                    % {"name": required},
                )
            )
    if not set(seen) & set(languages.TRANSLATED_LANGUAGES):
        problems.append(
            Problem(1, "", _("The workbook has no column of a language to translate into."))
        )
    return columns


def check_translation(source: str, text: str) -> list[str]:
    """Why ``text`` cannot stand for the Japanese ``source`` (empty when it can)."""
    problems = []
    if CONTROL.search(text):
        problems.append(_("The text contains control characters."))
    if MARKUP.search(text):
        problems.append(_("Markup such as HTML tags cannot be imported: write plain text."))
    wanted, found = Counter(PLACEHOLDER.findall(source)), Counter(PLACEHOLDER.findall(text))
    if wanted != found:
        dropped = sorted((wanted - found).elements())
        added = sorted((found - wanted).elements())
        if dropped:
            problems.append(
                _("The placeholder %(names)s of the Japanese is missing: keep it exactly as it is.")
                % {"names": "、".join(dropped)}
            )
        if added:
            problems.append(
                _("The placeholder %(names)s is not in the Japanese: remove it.")
                % {"names": "、".join(added)}
            )
    limit = text_limit(source)
    if len(text) > limit:
        problems.append(
            _("The translation is too long (%(length)s characters, at most %(limit)s).")
            % {"length": len(text), "limit": limit}
        )
    return problems


def parse_workbook(
    name: str, data: IO[bytes], size: int | None, current: dict[str, dict[str, str]]
) -> Parsed:
    """Read an uploaded translation workbook against ``current`` (row key → the texts now).

    ``problems`` lists every reason the file cannot be imported; when it is empty, ``rows``
    holds each text's translations. A translation equal to the one stored is not checked
    again (it is no change, whatever was typed in an editor before).
    """
    parsed = Parsed()
    problems: list[Problem] = []
    try:
        xlsx.check_container(
            name,
            data,
            size,
            max_bytes=MAX_FILE_BYTES,
            max_unzipped_bytes=MAX_UNZIPPED_BYTES,
            too_big=_("The file is larger than 5 MB."),
            too_big_unzipped=_("The workbook is too large to import."),
        )
        try:
            book = load_workbook(
                data, read_only=True, data_only=False, keep_vba=False, keep_links=False
            )
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise xlsx.WorkbookRefused(xlsx.not_a_workbook_message()) from exc
        try:
            if not book.worksheets:
                raise xlsx.WorkbookRefused(xlsx.not_a_workbook_message())
            _read_sheet(book.worksheets[0], current, parsed, problems)
        finally:
            book.close()
    except xlsx.WorkbookRefused as exc:
        return Parsed(problems=[str(exc)])
    parsed.problems.extend(
        str(p) for p in sorted(problems, key=lambda p: (p.row, len(p.column), p.column))
    )
    return parsed


def _read_sheet(
    sheet: Any, current: dict[str, dict[str, str]], parsed: Parsed, problems: list[Problem]
) -> None:
    declared = sheet.max_row if isinstance(getattr(sheet, "max_row", None), int) else 0
    if declared > MAX_ROWS + 1:
        raise xlsx.WorkbookRefused(
            _("The sheet has %(n)s rows: at most %(max)s rows can be imported.")
            % {"n": f"{declared:,}", "max": MAX_ROWS}
        )
    columns: dict[int, str] = {}
    keys: dict[str, int] = {}
    unheaded: set[int] = set()  # columns without heading already reported
    data_rows = 0
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
        if number > MAX_ROWS + 1:
            raise xlsx.WorkbookRefused(
                _("The sheet has more than %(max)s rows: at most %(max)s rows can be imported.")
                % {"max": MAX_ROWS}
            )
        cells = list(cells)
        if len(cells) > MAX_COLUMNS and getattr(cells[MAX_COLUMNS], "value", None) is not None:
            problems.append(
                Problem(
                    number,
                    get_column_letter(MAX_COLUMNS + 1),
                    _("The workbook has too many columns."),
                )
            )
        cells = cells[:MAX_COLUMNS]
        if number == 1:
            columns = _header(cells, problems)
            parsed.languages = [c for c in columns.values() if c in languages.TRANSLATED_LANGUAGES]
            continue
        row = _read_row(number, cells, columns, current, problems, unheaded)
        if row is None:
            continue
        data_rows += 1
        if row.key in keys:
            problems.append(
                Problem(
                    number,
                    "A",
                    _("The key appears twice (also row %(row)s).") % {"row": keys[row.key]},
                )
            )
            continue
        if row.key:
            keys[row.key] = number
        parsed.rows.append(row)
    if data_rows > len(current):
        problems.append(
            Problem(
                1,
                "",
                _(
                    "The workbook has %(rows)s rows of texts, but there are "
                    "only %(texts)s texts to translate."
                )
                % {"rows": data_rows, "texts": len(current)},
            )
        )


def _read_row(
    number: int,
    cells: list[Any],
    columns: dict[int, str],
    current: dict[str, dict[str, str]],
    problems: list[Problem],
    unheaded: set[int],
) -> Row | None:
    values: dict[str, str] = {}
    empty = True
    for index, cell in enumerate(cells):
        letter = get_column_letter(index + 1)
        name = columns.get(index)
        if getattr(cell, "value", None) not in (None, ""):
            empty = False
        if name is None:
            if getattr(cell, "value", None) not in (None, "") and index not in unheaded:
                unheaded.add(index)
                problems.append(
                    Problem(number, letter, _("This column has no heading: leave it empty."))
                )
            continue
        if getattr(cell, "data_type", None) == "f" or (
            name in languages.TRANSLATED_LANGUAGES and xlsx.is_formula(cell)
        ):
            problems.append(
                Problem(number, letter, _("Formulas cannot be imported: enter the text."))
            )
            continue
        text, is_text = _cell_text(cell)
        if not is_text:
            problems.append(
                Problem(
                    number,
                    letter,
                    _("Enter text (this cell holds a number, a date or a yes/no value)."),
                )
            )
            continue
        values[name] = text
    if empty or KEY_HEADING not in columns.values():
        return None
    key = values.get(KEY_HEADING, "").strip()
    letters = {name: get_column_letter(index + 1) for index, name in columns.items()}
    if key not in current:
        problems.append(
            Problem(
                number,
                letters.get(KEY_HEADING, "A"),
                _("Unknown key “%(key)s”: this text is not part of what was exported.")
                % {"key": key[:80]},
            )
        )
        return Row(number, key, "", {})
    digest = values.get(HASH_HEADING, "").strip()
    if not HASH_PATTERN.match(digest):
        problems.append(
            Problem(
                number,
                letters.get(HASH_HEADING, ""),
                _("The hidden source_hash column was changed: export the workbook again."),
            )
        )
    texts: dict[str, str] = {}
    for code in languages.TRANSLATED_LANGUAGES:
        if code not in values:
            continue
        text = values[code].strip()
        source = current[key].get(languages.BASE_LANGUAGE, "")
        checked = text and text != current[key].get(code)
        for message in check_translation(source, text) if checked else ():
            problems.append(Problem(number, letters[code], message))
        texts[code] = text
    return Row(number, key, digest, texts)
