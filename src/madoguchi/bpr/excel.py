"""A worksheet as an Excel workbook (.xlsx) and back, in the layout staff recognise.

One sheet per view (「現状」 and 「見直し後」), a frozen header row with the Japanese column
headings, drop-down lists for 担当, 媒体 and 状況. Reading is defensive: only a real .xlsx
without macros, size, rows and columns capped before anything is read in full, no formulas,
every cell checked; the report names each bad cell by sheet, row and column.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from madoguchi.core import xlsx
from madoguchi.core.xlsx import WorkbookRefused

from .models import Actor, Medium, Step, StepStatus, View, Worksheet
from .services import StepData

SHEET_NAMES: dict[str, str] = {View.AS_IS: "現状", View.TO_BE: "見直し後"}
# (heading, field, column width) — the layout of both sheets; 現状 adds 置き換え先.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("順番", "order", 6),
    ("担当", "actor", 10),
    ("作業内容", "action", 40),
    ("媒体", "medium", 11),
    ("1件あたり分", "minutes_per_case", 12),
    ("年間件数", "cases_per_year", 10),
    ("想定される課題", "problems", 40),
    ("調整先", "parties", 22),
    ("状況", "status", 10),
)
REPLACED_BY_COLUMN = ("置き換え先", "replaced_by", 11)
# The Japanese labels in the workbook (whatever the UI language), value → label.
ACTOR_LABELS: dict[str, str] = {
    Actor.RESIDENT: "住民",
    Actor.COUNTER: "窓口",
    Actor.DEPARTMENT: "担当課",
    Actor.OTHER: "他機関",
}
MEDIUM_LABELS: dict[str, str] = {
    Medium.PAPER: "紙",
    Medium.PHONE: "電話",
    Medium.COUNTER: "窓口",
    Medium.ONLINE: "オンライン",
    Medium.LINE: "LINE",
    Medium.OCR: "AI-OCR",
}
STATUS_LABELS: dict[str, str] = {
    StepStatus.NOT_STARTED: "未着手",
    StepStatus.COORDINATING: "調整中",
    StepStatus.AGREED: "合意済",
    StepStatus.DONE: "実施済",
}
CHOICES: dict[str, dict[str, str]] = {
    "actor": ACTOR_LABELS,
    "medium": MEDIUM_LABELS,
    "status": STATUS_LABELS,
}

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024
MAX_ROWS = 300  # data rows per sheet
MAX_ORDER = 999
MAX_MINUTES = Decimal("99999.9")
MAX_CASES = 10_000_000
TEXT_LIMITS = {"action": 200, "problems": 2000, "parties": 200}


def columns(view: str) -> tuple[tuple[str, str, int], ...]:
    return (*COLUMNS, REPLACED_BY_COLUMN) if view == View.AS_IS else COLUMNS


# --- Export.


def export_workbook(worksheet: Worksheet) -> bytes:
    """The worksheet as .xlsx bytes: one sheet per view, header frozen, drop-down lists."""
    book = Workbook()
    book.remove(book.active)
    steps: dict[str, list[Step]] = {View.AS_IS: [], View.TO_BE: []}
    for step in worksheet.steps.select_related("replaced_by").order_by("view", "order"):
        steps[step.view].append(step)
    for view, title in SHEET_NAMES.items():
        sheet = book.create_sheet(title)
        cols = columns(view)
        sheet.append([heading for heading, _name, _width in cols])
        for index, (_heading, _name, width) in enumerate(cols, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE6F0")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.freeze_panes = "A2"
        for step in steps[view]:
            row: list[Any] = [
                step.order,
                ACTOR_LABELS.get(step.actor, step.actor),
                step.action,
                MEDIUM_LABELS.get(step.medium, step.medium),
                step.minutes_per_case,
                step.cases_per_year,
                step.problems,
                step.parties,
                STATUS_LABELS.get(step.status, step.status),
            ]
            if view == View.AS_IS:
                row.append(step.replaced_by.order if step.replaced_by is not None else None)
            sheet.append(row)
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        for name, labels in CHOICES.items():
            letter = get_column_letter([c[1] for c in cols].index(name) + 1)
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(labels.values()) + '"',
                allow_blank=name == "status",
                showErrorMessage=True,
                errorTitle="入力できない値です",
                error="一覧から選んでください",
            )
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(rule)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Import.


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("“%(sheet)s” sheet, row %(row)s, column %(column)s: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Parsed:
    """What a workbook holds: view → (order, row) pairs, or the problems that stop the import."""

    views: dict[str, list[tuple[int, StepData]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # view → order → the sheet row it came from
    rows: dict[str, dict[int, int]] = field(default_factory=dict)
    # view → every order number written, in good rows and bad ones
    orders: dict[str, set[int]] = field(default_factory=dict)


def _check_container(name: str, data: IO[bytes], size: int | None) -> None:
    """Refuse what is no plain .xlsx before openpyxl reads it (the shared checks of core)."""
    xlsx.check_container(
        name,
        data,
        size,
        max_bytes=MAX_FILE_BYTES,
        max_unzipped_bytes=MAX_UNZIPPED_BYTES,
        too_big=_("The file is larger than 2 MB."),
        too_big_unzipped=_("The workbook is too large to import (at most %(rows)s rows a sheet).")
        % {"rows": MAX_ROWS},
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (
        unicodedata.normalize("NFKC", str(value)).strip()
        if not isinstance(value, str)
        else value.strip()
    )


def _number(value: Any) -> Decimal | None:
    """A number from a numeric cell or a cell of digits; None when it is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return Decimal(text)
    return None


class _Row:
    """Reads one data row's cells, collecting problems."""

    def __init__(
        self,
        sheet: str,
        row: int,
        cols: tuple[tuple[str, str, int], ...],
        problems: list[CellProblem],
    ) -> None:
        self.sheet, self.row, self.problems = sheet, row, problems
        self.letters = {name: get_column_letter(i) for i, (_h, name, _w) in enumerate(cols, 1)}

    def bad(self, name: str, message: str) -> None:
        self.problems.append(CellProblem(self.sheet, self.row, self.letters[name], message))

    def whole(self, name: str, value: Any, low: int, high: int, required: bool) -> int | None:
        if value in (None, ""):
            if required:
                self.bad(name, _("Enter a number."))
            return None
        number = _number(value)
        if number is None or number != number.to_integral_value():
            self.bad(name, _("Enter a whole number."))
            return None
        if not low <= number <= high:
            self.bad(
                name,
                _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": f"{high:,}"},
            )
            return None
        return int(number)

    def minutes(self, value: Any) -> Decimal | None:
        number = _number(value) if value not in (None, "") else None
        if number is None:
            self.bad("minutes_per_case", _("Enter a number."))
            return None
        if number < 0 or number > MAX_MINUTES:
            self.bad(
                "minutes_per_case", _("Enter a number from 0 to %(high)s.") % {"high": MAX_MINUTES}
            )
            return None
        if number != number.quantize(Decimal("0.1")):
            self.bad("minutes_per_case", _("Use at most one decimal place."))
            return None
        return number.quantize(Decimal("0.1"))

    def choice(self, name: str, value: Any, default: str | None = None) -> str | None:
        text = _text(value)
        labels = CHOICES[name]
        if not text and default is not None:
            return default
        for key, label in labels.items():
            if text in (label, key):
                return str(key)
        self.bad(
            name, _("Choose from the list (%(choices)s).") % {"choices": "・".join(labels.values())}
        )
        return None

    def text(self, name: str, value: Any, required: bool = False) -> str:
        text = _text(value)
        if isinstance(value, bool) or (
            value is not None and not isinstance(value, str | int | float | Decimal)
        ):
            self.bad(name, _("Enter text."))
            return ""
        if required and not text:
            self.bad(name, _("Enter what is done."))
        elif len(text) > TEXT_LIMITS[name]:
            self.bad(name, _("At most %(n)s characters.") % {"n": TEXT_LIMITS[name]})
        return text


def _rows(sheet: Any) -> Iterator[tuple[int, list[Any], list[str]]]:
    """(row number, values, letters of formula cells) of each row, at most MAX_ROWS + 1."""
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values, formulas = [], []
        for index, cell in enumerate(cells):
            value = getattr(cell, "value", None)
            if xlsx.is_formula(cell):
                formulas.append(get_column_letter(index + 1))
            values.append(value)
        yield number, values, formulas


def _read_sheet(
    sheet: Any, view: str, problems: list[CellProblem], orders: dict[int, int]
) -> list[tuple[int, int, StepData]]:
    """(sheet row, order, contents) of each good data row; bad cells go to ``problems``, and
    every order written (good row or not) to ``orders`` with its row."""
    title = SHEET_NAMES[view]
    cols = columns(view)
    width = len(cols)
    declared = sheet.max_row if isinstance(getattr(sheet, "max_row", None), int) else 0
    if declared > MAX_ROWS + 1:
        raise WorkbookRefused(
            _("The “%(sheet)s” sheet has %(n)s rows: at most %(max)s rows can be imported.")
            % {"sheet": title, "n": f"{declared:,}", "max": MAX_ROWS}
        )
    found: list[tuple[int, int, StepData]] = []
    for number, values, formulas in _rows(sheet):
        if number > MAX_ROWS + 1:
            raise WorkbookRefused(
                _(
                    "The “%(sheet)s” sheet has more than %(max)s rows: at most "
                    "%(max)s rows can be imported."
                )
                % {"sheet": title, "max": MAX_ROWS}
            )
        for letter in formulas:
            problems.append(
                CellProblem(
                    title, number, letter, _("Formulas cannot be imported: enter the value.")
                )
            )
        if formulas:
            continue
        extra = [i for i, v in enumerate(values) if i >= width and v not in (None, "")]
        for index in extra:
            problems.append(
                CellProblem(
                    title,
                    number,
                    get_column_letter(index + 1),
                    _("This column is not part of the worksheet: leave it empty."),
                )
            )
        values = (values + [None] * width)[:width]
        if number == 1:
            for index, (heading, _name, _w) in enumerate(cols):
                if _text(values[index]) != heading:
                    problems.append(
                        CellProblem(
                            title,
                            1,
                            get_column_letter(index + 1),
                            _("The heading must be “%(heading)s”.") % {"heading": heading},
                        )
                    )
            continue
        if all(v in (None, "") for v in values):
            continue
        cells = dict(zip([c[1] for c in cols], values, strict=True))
        row = _Row(title, number, cols, problems)
        order = row.whole("order", cells["order"], 1, MAX_ORDER, required=True)
        if order is not None and order in orders:
            row.bad(
                "order",
                _("Order %(order)s is used twice (row %(row)s).")
                % {"order": order, "row": orders[order]},
            )
        elif order is not None:
            orders[order] = number
        actor = row.choice("actor", cells["actor"])
        action = row.text("action", cells["action"], required=True)
        medium = row.choice("medium", cells["medium"])
        minutes = row.minutes(cells["minutes_per_case"])
        cases = row.whole("cases_per_year", cells["cases_per_year"], 0, MAX_CASES, required=True)
        problems_text = row.text("problems", cells["problems"])
        parties = row.text("parties", cells["parties"])
        status = row.choice("status", cells["status"], default=StepStatus.NOT_STARTED)
        replaced_by = None
        if view == View.AS_IS:
            replaced_by = row.whole(
                "replaced_by", cells["replaced_by"], 1, MAX_ORDER, required=False
            )
        if None in (order, actor, medium, minutes, cases, status):
            continue
        found.append(
            (
                number,
                int(order or 0),
                StepData(
                    actor=str(actor),
                    action=action,
                    medium=str(medium),
                    minutes_per_case=minutes or Decimal("0"),
                    cases_per_year=int(cases or 0),
                    problems=problems_text,
                    parties=parties,
                    status=str(status),
                    replaced_by=replaced_by,
                ),
            )
        )
    return found


def parse_workbook(name: str, data: IO[bytes], size: int | None) -> Parsed:
    """Read an uploaded workbook; ``problems`` lists every reason it cannot be imported."""
    parsed = Parsed()
    problems: list[CellProblem] = []
    try:
        _check_container(name, data, size)
        try:
            book = load_workbook(
                data, read_only=True, data_only=False, keep_vba=False, keep_links=False
            )
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise WorkbookRefused(_("This file is not an Excel workbook (.xlsx).")) from exc
        try:
            for view, title in SHEET_NAMES.items():
                if title not in book.sheetnames:
                    parsed.problems.append(
                        _("The workbook has no “%(sheet)s” sheet.") % {"sheet": title}
                    )
                    continue
                orders: dict[int, int] = {}
                rows = _read_sheet(book[title], view, problems, orders)
                parsed.orders[view] = set(orders)
                parsed.views[view] = [(order, data) for _n, order, data in rows]
                parsed.rows[view] = {order: number for number, order, _data in rows}
        finally:
            book.close()
    except WorkbookRefused as exc:
        return Parsed(problems=[str(exc)])
    # A link to a to-be row that is itself bad is not reported twice.
    to_be_orders = parsed.orders.get(View.TO_BE, set())
    letter = get_column_letter(len(columns(View.AS_IS)))
    for order, step_data in parsed.views.get(View.AS_IS, []):
        link = step_data.replaced_by
        if link is not None and View.TO_BE in parsed.orders and link not in to_be_orders:
            row = parsed.rows[View.AS_IS][order]
            message = _("There is no to-be step number %(order)s.") % {"order": link}
            problems.append(CellProblem(SHEET_NAMES[View.AS_IS], row, letter, message))
    parsed.problems.extend(
        str(p)
        for p in sorted(
            problems,
            key=lambda p: (
                list(SHEET_NAMES.values()).index(p.sheet) if p.sheet in SHEET_NAMES.values() else 9,
                p.row,
                len(p.column),
                p.column,
            ),
        )
    )
    return parsed
