"""Reading the CSV extract of a 住民記録システム, one row at a time (docs/registry-import.md).

The file is read as bytes line by line (in UTF-8 and CP932 a newline byte is never part of a
character) and each line decoded on its own, so a bad byte is reported with its line, and the
csv reader gets text lines; nothing but the current row is held in memory.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.kana import is_furigana, normalize_furigana
from madoguchi.jp.wareki import parse_date
from madoguchi.jp.width import to_ascii
from madoguchi.registry import keys, records
from madoguchi.registry.plugins import ResidentRecord

# Field → the header of the default layout (the order of the columns does not matter).
DEFAULT_HEADERS: dict[str, str] = {
    "resident_code": "住民票コード",
    "household_id": "世帯番号",
    "name": "氏名",
    "kana": "氏名フリガナ",
    "birth_date": "生年月日",
    "sex": "性別",
    "relationship": "続柄",
    "address": "住所",
    "katagaki": "方書",
    "moved_in_on": "住定日",
    "reason": "異動事由",
    "changed_on": "異動日",
}
REQUIRED = ("resident_code", "household_id", "name", "kana", "birth_date", "sex",
            "relationship", "address")
SEXES = frozenset({"男", "女", "男性", "女性", "1", "2", "9"})
MAX_CELL = 200
MAX_PROBLEMS = 100
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SAMPLE_BYTES = 1 << 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: the line (1 is the header), the column and what."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Report:
    """The outcome of reading a file: the rows read and the problems found (the first
    ``MAX_PROBLEMS`` kept, all counted)."""

    encoding: str = ""
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


class Refused(Exception):
    """The file cannot be imported; ``report`` says why. Nothing was written."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{report.problem_count} problem(s)")
        self.report = report


def parse_mapping(text: str) -> dict[str, str]:
    """A column mapping from JSON (text or a path to a .json file): {field or default header:
    the file's header}, e.g. ``{"氏名": "NAME_KANJI", "resident_code": "JUMIN_CD"}``."""
    source = text.strip()
    if not source.startswith("{"):
        source = Path(source).read_text(encoding="utf-8")
    raw = json.loads(source)
    if not isinstance(raw, dict):
        raise ValueError("the mapping must be a JSON object")
    by_header = {v: k for k, v in DEFAULT_HEADERS.items()}
    mapping: dict[str, str] = {}
    for key, header in raw.items():
        name = key if key in DEFAULT_HEADERS else by_header.get(key)
        if name is None or not isinstance(header, str):
            raise ValueError(f"unknown column in the mapping: {key}")
        mapping[name] = header
    return mapping


def detect_encoding(path: Path) -> str:
    """"utf-8-sig" with a BOM, "utf-8" when the first megabyte decodes as UTF-8, else "cp932"."""
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8"


class _BadEncoding(Exception):
    """A line that does not decode; ``cell`` is the index of the cell holding the first bad
    byte (counted on the line's readable beginning), or -1 when it cannot be told."""

    def __init__(self, line: int, cell: int = -1) -> None:
        self.line = line
        self.cell = cell


def _cell_of(text: str) -> int:
    """The index of the last cell begun in ``text``, a line's beginning."""
    try:
        return len(next(csv.reader([text]), [""])) - 1
    except csv.Error:
        return -1


class _Lines:
    """The file's lines decoded one by one, counting lines and bytes read."""

    def __init__(self, f: IO[bytes], encoding: str) -> None:
        self.f = f
        self.encoding = encoding
        self.line = 0
        self.bytes = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.f:
            self.line += 1
            self.bytes += len(raw)
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                start = raw[: exc.start].decode(self.encoding, errors="replace")
                raise _BadEncoding(self.line, _cell_of(start.lstrip("\ufeff"))) from None
            if self.line == 1 and text.startswith("\ufeff"):
                text = text[1:]
            yield text


# C0 and C1 control characters (and DEL).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@lru_cache(maxsize=1024)
def _is_kana(cell: str) -> bool:
    """Whether a furigana cell is kana (cached: a file repeats its family names)."""
    return is_furigana(normalize_furigana(cell))


# A date already written as YYYY-MM-DD (what most extracts hold): read directly, as
# parse_date would, without its folding of widths and dashes.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _date(cell: str, column: str, line: int, report: Report) -> dt.date | None:
    if _ISO_DATE.fullmatch(cell):
        with contextlib.suppress(ValueError):  # no such day: parse_date says so below
            return dt.date(int(cell[:4]), int(cell[5:7]), int(cell[8:]))
    try:
        return parse_date(cell)
    except JPValueError as exc:
        report.add(Problem(line, column, str(exc)))
        return None


# A cell starting like a formula or any control character (tab and CR are both), in the
# cells of a row joined by a noncharacter.
_CELL_SEPARATOR = "\uffff"
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f]|(?:^|\uffff)[=+\\-@]")


def _check_cells(cells: dict[str, str], headers: dict[str, str], line: int,
                 report: Report) -> None:
    for name, value in cells.items():
        if value.startswith(FORMULA_START):
            report.add(Problem(line, headers[name],
                               "starts like a spreadsheet formula (=, +, -, @): refused"))
        elif len(value) > MAX_CELL:
            report.add(Problem(line, headers[name], f"longer than {MAX_CELL} characters"))
        elif _CONTROL.search(value):
            report.add(Problem(line, headers[name], "holds a control character"))


def _row(cells: dict[str, str], headers: dict[str, str], line: int,
         report: Report) -> ResidentRecord | None:
    """The record of one row, or None after adding its problems to ``report``."""
    before = report.problem_count
    # One scan of the whole row for the usual case, nothing wrong; the cell by cell checks
    # below run only when it finds something, to name the column.
    if _SUSPECT.search(_CELL_SEPARATOR.join(cells.values())) or (
            max(map(len, cells.values()), default=0) > MAX_CELL):
        _check_cells(cells, headers, line, report)
    for name in REQUIRED:
        if not cells.get(name):
            report.add(Problem(line, headers[name], "is empty"))
    if report.problem_count > before:
        return None
    code = to_ascii(cells["resident_code"])
    if not (len(code) == 11 and code.isascii() and code.isdigit()):
        report.add(Problem(line, headers["resident_code"], "is not an 11-digit 住民票コード"))
    if not _is_kana(cells["kana"]):
        report.add(Problem(line, headers["kana"], "is not written in kana"))
    if cells["sex"] not in SEXES:
        report.add(Problem(line, headers["sex"], "is not 男, 女, 1, 2 or 9"))
    birth = _date(cells["birth_date"], headers["birth_date"], line, report)
    moved_in = (_date(cells["moved_in_on"], headers["moved_in_on"], line, report)
                if cells.get("moved_in_on") else None)
    changed_on = (_date(cells["changed_on"], headers["changed_on"], line, report)
                  if cells.get("changed_on") else None)
    if report.problem_count > before:
        return None
    reason = cells.get("reason", "")
    changed_at = (dt.datetime.combine(changed_on, dt.time(), tzinfo=dt.UTC)
                  if changed_on else None)
    return ResidentRecord(
        record_id=keys.code_index(code), name=cells["name"], kana=cells["kana"],
        birth_date=birth, sex=cells["sex"], address=cells["address"],
        household_id=cells["household_id"], relationship=cells["relationship"],
        resident_code=code, active=not records.is_leaving(reason), changed_at=changed_at,
        katagaki=cells.get("katagaki", ""), moved_in_on=moved_in, reason=reason,
    )


Progress = Callable[[int, int], None]


def read(path: Path, report: Report, *, mapping: dict[str, str] | None = None,
         progress: Progress | None = None) -> Iterator[tuple[int, ResidentRecord]]:
    """Yield (line, record) for each valid row of the extract; problems go to ``report``
    (a file whose encoding or header is wrong yields nothing after the problem).
    ``progress(bytes read, file size)`` is called every 1,000 rows."""
    headers = {**DEFAULT_HEADERS, **(mapping or {})}
    report.encoding = report.encoding or detect_encoding(path)
    size = path.stat().st_size
    with path.open("rb") as f:
        lines = _Lines(f, report.encoding)
        reader = csv.reader(lines)
        header: list[str] | None = None
        try:
            header = next(reader, None)
            if header is None:
                report.add(Problem(1, "", "the file is empty"))
                return
            header = [h.strip() for h in header]
            positions: dict[str, int] = {}
            for name, title in headers.items():
                if title in header:
                    positions[name] = header.index(title)
                elif name in REQUIRED:
                    report.add(Problem(1, title, "column missing from the header"))
            if not report.ok:
                return
            line = lines.line
            for row in reader:
                start, line = line + 1, lines.line
                if not any(cell.strip() for cell in row):
                    continue
                report.rows += 1
                if len(row) != len(header):
                    report.add(Problem(start, "", f"has {len(row)} cells, the header "
                                                  f"{len(header)}"))
                    continue
                cells = {name: row[i].strip() for name, i in positions.items()}
                record = _row(cells, headers, start, report)
                if record is not None:
                    yield start, record
                if progress is not None and report.rows % 1000 == 0:
                    progress(lines.bytes, size)
        except _BadEncoding as exc:
            column = (header[exc.cell] if header and exc.line > 1
                      and 0 <= exc.cell < len(header) else "")
            report.add(Problem(exc.line, column, f"is not valid {report.encoding}"))
        except csv.Error as exc:
            report.add(Problem(lines.line, "", f"cannot be read as CSV ({exc})"))
    if progress is not None:
        progress(size, size)
