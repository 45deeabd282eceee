"""Exports of a procedure's applications for the city's core systems (CSV and Excel).

Instead of re-typing applications into the core systems (基幹系システム), a department downloads
them as CSV (UTF-8 with a BOM for Excel, or CP932 for older systems) or as an Excel workbook.

- Rows are read with ``values().iterator(chunk_size=CHUNK_SIZE)``: memory stays flat however
  many applications there are. CSV is produced while it is sent (a generator); Excel is written
  with xlsxwriter's ``constant_memory`` mode into a temporary file that is then streamed.
- Sensitive answers are decrypted only when a sensitive field was chosen and the staff member
  may see such values; for the others the column holds :data:`MASKED` and nothing is decrypted.
- CP932 lacks some characters (𠮷, emoji, a variation-selector 異体字); each such character is
  written as :data:`GETA` (〓) and reported: :class:`ExportResult` lists which receipt number,
  column and characters, and the caller puts that report in the audit log.
- A CSV cell that a spreadsheet would read as a formula (= + - @ tab CR) gets a leading
  apostrophe; Excel cells are always written as strings.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

import xlsxwriter
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from madoguchi.catalog.models import Procedure
from madoguchi.core import crypto
from madoguchi.core.i18n import localized
from madoguchi.forms import selectors as form_selectors
from madoguchi.forms.definition import DefinitionError
from madoguchi.forms.fields import FieldType
from madoguchi.forms.models import FormVersion
from madoguchi.staff.models import StaffMember

from .models import Application, Status

CHUNK_SIZE = 2000  # rows fetched from the database at a time
LINES_PER_CHUNK = 500  # CSV lines sent to the client at a time
REPORT_CAP = 200  # replacement entries kept in the audit event (the count is always exact)
XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
XLSX_MAX_CELL = 32_767
GETA = "〓"  # 下駄記号: the traditional mark for a character that cannot be printed (in CP932)
MASKED = "＊＊＊＊"
UTF8_BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-\d+(\.\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
# JIS X 0208 characters that CP932 (Microsoft's Shift_JIS) maps to another code point:
# WAVE DASH, MINUS SIGN, DOUBLE VERTICAL LINE, EM DASH, CENT, POUND and NOT signs.
_JIS_TO_CP932 = str.maketrans({
    "\u301c": "\uff5e", "\u2212": "\uff0d", "\u2016": "\u2225", "\u2014": "\u2015",
    "\u00a2": "\uffe0", "\u00a3": "\uffe1", "\u00ac": "\uffe2",
})
_ZWJ = "\u200d"


class ExportFormat:
    """The file formats offered; ``choices`` for the form."""

    CSV_UTF8 = "csv_utf8"
    CSV_CP932 = "csv_cp932"
    XLSX = "xlsx"

    choices = (
        (CSV_UTF8, gettext_lazy("CSV, UTF-8 (opens in Excel)")),
        (CSV_CP932, gettext_lazy("CSV, Shift_JIS (CP932) for older core systems")),
        (XLSX, gettext_lazy("Excel workbook (.xlsx)")),
    )
    values = (CSV_UTF8, CSV_CP932, XLSX)


FIXED_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("receipt_number", gettext_lazy("Receipt number")),
    ("status", gettext_lazy("Status")),
    ("submitted_at", gettext_lazy("Submitted at")),
    ("applicant_name", gettext_lazy("Applicant name")),
)


@dataclass(frozen=True)
class FieldColumn:
    """A field that can be exported: its key and its label in the newest form version."""

    key: str
    label: str
    sensitive: bool
    type_name: str


@dataclass(frozen=True)
class ExportJob:
    """What to export, for whom: the caller has checked the procedure is the department's."""

    procedure: Procedure
    department_id: int
    columns: tuple[FieldColumn, ...]
    fields_by_version: dict[int, dict[str, FieldType]]
    format: str
    sees_sensitive: bool
    language: str
    status: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None

    @property
    def decrypts(self) -> bool:
        """Whether sealed answers are opened: a sensitive field chosen by someone who may see it."""
        return self.sees_sensitive and any(c.sensitive for c in self.columns)

    @property
    def masks(self) -> bool:
        return not self.sees_sensitive and any(c.sensitive for c in self.columns)

    @property
    def filename(self) -> str:
        extension = "xlsx" if self.format == ExportFormat.XLSX else "csv"
        return f"{self.procedure.slug}_{timezone.localdate():%Y%m%d}.{extension}"


@dataclass
class ExportResult:
    """What an export wrote, for the audit log: rows, and the characters CP932 could not hold."""

    rows: int = 0
    completed: bool = False
    truncated: bool = False
    decrypt_failures: int = 0
    replaced: list[dict[str, str]] = field(default_factory=list)
    replaced_count: int = 0

    def add_replacement(self, receipt: str, column: str, chars: Iterable[str]) -> None:
        self.replaced_count += 1
        if len(self.replaced) < REPORT_CAP:
            self.replaced.append(
                {"receipt": receipt, "column": column, "chars": "".join(dict.fromkeys(chars))}
            )


def audit_details(job: ExportJob, result: ExportResult) -> dict[str, Any]:
    """The JSON details of the ``application.export`` audit event."""
    return {
        "format": job.format,
        "procedure": job.procedure.slug,
        "procedure_name": localized(job.procedure.name, "ja"),
        "fields": [c.key for c in job.columns],
        "filters": {
            "status": job.status,
            "from": job.submitted_from.isoformat() if job.submitted_from else "",
            "to": job.submitted_to.isoformat() if job.submitted_to else "",
        },
        "rows": result.rows,
        "completed": result.completed,
        "truncated": result.truncated,
        "masked": job.masks,
        "decrypted": job.decrypts,
        "decrypt_failures": result.decrypt_failures,
        "replaced": result.replaced,
        "replaced_count": result.replaced_count,
    }


# --- reads --------------------------------------------------------------------------------------
def procedures_for_export(staff: StaffMember) -> QuerySet[Procedure]:
    """The department's procedures that have a form or applications."""
    has_applications = Exists(Application.objects.filter(procedure=OuterRef("pk")))
    return (
        Procedure.objects.filter(department_id=staff.department_id)
        .filter(Q(form__isnull=False) | has_applications)
        .order_by("sort_order", "id")
    )


def get_procedure_for_export(staff: StaffMember, slug: Any) -> Procedure:
    """One procedure of the staff member's department; any other (or a malformed slug) is 404."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise Http404
    try:
        return procedures_for_export(staff).get(slug=slug)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc


def version_fields(procedure: Procedure) -> dict[int, dict[str, FieldType]]:
    """The value fields of each published version the procedure's applications may use.

    Newest version first. A version whose definition no longer reads is left out (its
    answers then export as empty cells).
    """
    used = Exists(Application.objects.filter(procedure=procedure, form_version=OuterRef("pk")))
    versions = (
        FormVersion.objects.filter(published_at__isnull=False)
        .filter(Q(form__procedure=procedure) | used)
        .only("pk", "published_at")
        .order_by("-published_at", "-pk")
    )
    fields: dict[int, dict[str, FieldType]] = {}
    for version in versions:
        try:
            spec = form_selectors.spec_of(version)
        except (DefinitionError, ValueError):
            continue
        fields[version.pk] = {f.key: f for f in spec.fields()}
    return fields


def field_columns(fields_by_version: dict[int, dict[str, FieldType]]) -> list[FieldColumn]:
    """Every field of every version once, in the newest version's order, labelled as there."""
    columns: dict[str, FieldColumn] = {}
    for fields in fields_by_version.values():  # newest first
        for key, f in fields.items():
            known = columns.get(key)
            if known is None:
                columns[key] = FieldColumn(key, f.label or key, f.is_sensitive, f.type_name)
            elif f.is_sensitive and not known.sensitive:
                columns[key] = FieldColumn(key, known.label, True, known.type_name)
    return list(columns.values())


def export_rows(job: ExportJob) -> QuerySet[Application, dict[str, Any]]:
    """The applications to export, oldest first, as plain dicts (never model instances)."""
    qs = Application.objects.filter(department_id=job.department_id, procedure_id=job.procedure.pk)
    if job.status in Status.values:
        qs = qs.filter(status=job.status)
    if job.submitted_from is not None:
        qs = qs.filter(submitted_at__gte=_start_of(job.submitted_from))
    if job.submitted_to is not None and job.submitted_to < dt.date.max:
        qs = qs.filter(submitted_at__lt=_start_of(job.submitted_to + dt.timedelta(days=1)))
    names = ["receipt_number", "status", "submitted_at", "applicant_name", "form_version_id"]
    if job.columns:
        names.append("answers")
    if any(c.sensitive for c in job.columns):
        names += ["public_id", "sealed_answers"]
    return qs.order_by("submitted_at", "id").values(*names)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- values -------------------------------------------------------------------------------------
def _address(f: FieldType, value: Any) -> str:
    place = "".join(str(value.get(p, "")) for p in ("prefecture", "city", "town", "street"))
    text = f"{value.get('postal_code', '')} {place}"
    return f"{text}　{value['building']}" if value.get("building") else text


# Machine-readable forms for types whose class keeps the default ``export`` (= ``display``):
# ISO dates, the 7-digit postal code, the phone number's digits, a number without separators.
_MACHINE_FORMATS: dict[str, Callable[[FieldType, Any], str]] = {
    "date": lambda f, v: str(v),
    "postal_code": lambda f, v: str(v),
    "phone": lambda f, v: str(v),
    "number": lambda f, v: str(v),
    "address": _address,
}


def export_value(f: FieldType, value: Any) -> str:
    """A stored answer as a core system wants it (``field.export`` where a type defines it)."""
    if value is None:
        return ""
    try:
        if type(f).export is not FieldType.export:
            return f.export(value)
        formatter = _MACHINE_FORMATS.get(f.type_name)
        return formatter(f, value) if formatter is not None else f.display(value)
    except (AttributeError, KeyError, TypeError, ValueError):
        return str(value)  # a stored value of an unexpected shape must not stop the export


def clean_text(text: str) -> str:
    """Without control characters (tab and newlines stay); a lone surrogate becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def neutralise_formula(text: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula (not to -12)."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _is_extender(ch: str) -> bool:
    """A code point that belongs to the character before it (selectors, marks, modifiers)."""
    code = ord(ch)
    return (
        0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF  # variation selectors (IVS)
        or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F  # skin tones, tags
        or ch == _ZWJ or unicodedata.category(ch) in ("Mn", "Me")
    )


def _clusters(text: str) -> Iterator[str]:
    """The text split into user-perceived characters, roughly (enough for CP932 replacement)."""
    cluster = ""
    for ch in text:
        if cluster and (_is_extender(ch) or cluster.endswith(_ZWJ)):
            cluster += ch
            continue
        if cluster:
            yield cluster
        cluster = ch
    if cluster:
        yield cluster


def to_cp932(text: str) -> tuple[str, list[str]]:
    """The text with each character CP932 lacks replaced by 〓, and the characters replaced.

    A character with a variation selector, a combining mark or an emoji sequence is replaced
    as a whole by one 〓. 髙 and 﨑 (IBM extensions of CP932) stay.
    """
    text = text.translate(_JIS_TO_CP932)
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        pass
    else:
        return text, []
    kept: list[str] = []
    replaced: list[str] = []
    for cluster in _clusters(text):
        try:
            cluster.encode("cp932")
        except UnicodeEncodeError:
            kept.append(GETA)
            replaced.append(cluster)
        else:
            kept.append(cluster)
    return "".join(kept), replaced


# --- rows ---------------------------------------------------------------------------------------
def header(job: ExportJob) -> list[str]:
    return [str(label) for _key, label in FIXED_COLUMNS] + [c.label for c in job.columns]


def _sealed(row: dict[str, Any], result: ExportResult) -> dict[str, Any]:
    """The row's decrypted sensitive answers ({} when there are none or they cannot be read)."""
    if not row.get("sealed_answers"):
        return {}
    try:
        opened = crypto.unseal(row["sealed_answers"], context=str(row["public_id"]))
    except crypto.DecryptionError:
        result.decrypt_failures += 1
        return {}
    return opened if isinstance(opened, dict) else {}


def _cells(
    job: ExportJob, row: dict[str, Any], fields_by_version: dict[int, dict[str, FieldType]],
    statuses: dict[str, str], result: ExportResult,
) -> list[str]:
    submitted = timezone.localtime(row["submitted_at"]).strftime("%Y-%m-%d %H:%M:%S")
    cells = [row["receipt_number"] or "", statuses.get(row["status"], row["status"]), submitted,
             row["applicant_name"]]
    if not job.columns:
        return cells
    fields = fields_by_version.get(row["form_version_id"], {})
    answers = row["answers"] if isinstance(row["answers"], dict) else {}
    opened: dict[str, Any] | None = None
    for column in job.columns:
        f = fields.get(column.key)
        if f is None:
            cells.append("")
        elif column.sensitive and not job.sees_sensitive:
            # Masked without decrypting; a field sensitive in any version is masked in all.
            present = (bool(row.get("sealed_answers")) if f.is_sensitive
                       else answers.get(column.key) not in (None, "", [], {}))
            cells.append(MASKED if present else "")
        elif f.is_sensitive:
            if opened is None:
                opened = _sealed(row, result)
            cells.append(export_value(f, opened.get(column.key)))
        else:
            cells.append(export_value(f, answers.get(column.key)))
    return cells


def rows(job: ExportJob, result: ExportResult) -> Iterator[tuple[str, list[str]]]:
    """(receipt number, cells) for each application, read ``CHUNK_SIZE`` rows at a time.

    Call with the export's language active: choice labels and the like are translated.
    """
    statuses = {value: str(label) for value, label in Status.choices}
    fields_by_version = dict(job.fields_by_version)
    for row in export_rows(job).iterator(chunk_size=CHUNK_SIZE):
        if job.columns and row["form_version_id"] not in fields_by_version:
            fields_by_version[row["form_version_id"]] = _fields_of(row["form_version_id"])
        cells = [clean_text(str(cell)) for cell in _cells(job, row, fields_by_version, statuses,
                                                          result)]
        yield row["receipt_number"] or "", cells


def _fields_of(version_id: int) -> dict[str, FieldType]:
    """Fields of a version not seen when the export started (e.g. published since)."""
    version = FormVersion.objects.filter(pk=version_id, published_at__isnull=False).first()
    if version is None:
        return {}
    try:
        return {f.key: f for f in form_selectors.spec_of(version).fields()}
    except (DefinitionError, ValueError):
        return {}


# --- writers ------------------------------------------------------------------------------------
class _Echo:
    """A file-like object whose ``write`` returns the text: csv.writer then yields lines."""

    def write(self, value: str) -> str:
        return value


def csv_line(
    writer: Any, export_format: str, ref: str, cells: list[str], result: ExportResult,
    names: list[str],
) -> bytes:
    """One encoded CSV line: formulas neutralised; in CP932, what it lacks is replaced and
    reported against ``ref`` (the row) and the column ``names``."""
    if export_format == ExportFormat.CSV_CP932:
        converted = []
        for name, cell in zip(names, cells, strict=True):
            text, replaced = to_cp932(cell)
            if replaced:
                result.add_replacement(ref, name, replaced)
            converted.append(neutralise_formula(text))
        return writer.writerow(converted).encode("cp932")
    return writer.writerow([neutralise_formula(c) for c in cells]).encode("utf-8")


def csv_stream(
    job: ExportJob, on_finish: Callable[[ExportResult], None]
) -> Iterator[bytes]:
    """The CSV file, a few hundred lines per chunk, read from the database as it is sent.

    ``on_finish`` receives the result when the stream ends: fully sent, interrupted (the
    client went away; ``completed`` is false) or failed. A stream never started calls nothing.
    """
    result = ExportResult()
    writer = csv.writer(_Echo())
    source = rows(job, result)
    try:
        with translation.override(job.language):
            names = [clean_text(name) for name in header(job)]
            head = csv_line(writer, job.format, "", names, result, names)
        yield (UTF8_BOM.encode("utf-8") if job.format == ExportFormat.CSV_UTF8 else b"") + head
        while True:
            # The language is switched per chunk, never across a yield, where the server's own
            # code runs in this thread.
            with translation.override(job.language):
                lines = [csv_line(writer, job.format, receipt, cells, result, names)
                         for receipt, cells in islice(source, LINES_PER_CHUNK)]
            if not lines:
                break
            result.rows += len(lines)
            yield b"".join(lines)
        result.completed = True
    finally:
        source.close()  # closes the database cursor before the audit event is written
        on_finish(result)


def write_xlsx(
    job: ExportJob, target: IO[bytes], on_finish: Callable[[ExportResult], None]
) -> ExportResult:
    """Write the workbook into ``target`` (a temporary file) row by row; return what was written.

    ``constant_memory`` keeps one row in memory; every cell is written with ``write_string``,
    so a value starting with = stays text. ``on_finish`` receives the result, also on failure.
    """
    result = ExportResult()
    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False,
    })
    source = rows(job, result)
    try:
        with translation.override(job.language):
            name = _SHEET_NAME_FORBIDDEN.sub("", localized(job.procedure.name))[:31].strip()
            sheet = workbook.add_worksheet(name or "Sheet1")
            bold = workbook.add_format({"bold": True})
            for col, text in enumerate(header(job)):
                sheet.write_string(0, col, clean_text(text)[:XLSX_MAX_CELL], bold)
            for number, (_receipt, cells) in enumerate(source, start=1):
                if number > XLSX_MAX_ROWS:
                    result.truncated = True
                    break
                for col, text in enumerate(cells):
                    sheet.write_string(number, col, text[:XLSX_MAX_CELL])
                result.rows = number
        source.close()
        workbook.close()
        result.completed = True
    finally:
        source.close()
        on_finish(result)
    return result
