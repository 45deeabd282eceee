"""CSV of a department's bookings (UTF-8 with a BOM for Excel, or CP932 for older systems).

The writers of :mod:`madoguchi.applications.exports` are reused: formula cells get a leading
apostrophe, control characters are dropped, and in CP932 a character the encoding lacks (𠮷,
emoji) becomes 〓 and is reported for the audit log. Rows are read in chunks while the file is
sent, so memory stays flat.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from madoguchi.applications.exports import (
    UTF8_BOM,
    ExportFormat,
    ExportResult,
    clean_text,
    csv_line,
)
from madoguchi.core.i18n import localized

from .models import Booking, Service, Sex
from .stats import period_bounds

CHUNK_SIZE = 2000
LINES_PER_CHUNK = 500
FORMATS = (
    (ExportFormat.CSV_UTF8, gettext_lazy("CSV, UTF-8 (opens in Excel)")),
    (ExportFormat.CSV_CP932, gettext_lazy("CSV, Shift_JIS (CP932) for older core systems")),
)
CONTENT_TYPES = {
    ExportFormat.CSV_UTF8: "text/csv; charset=utf-8",
    ExportFormat.CSV_CP932: "text/csv; charset=Windows-31J",
}

# How a booking was made, in the staff's words (the model's "Phone" label reads 電話番号).
CHANNEL_LABELS = {"web": gettext_lazy("Online"), "phone": gettext_lazy("By phone"),
                  "form": gettext_lazy("With an application")}

COLUMNS: tuple[tuple[str, Any], ...] = (
    ("public_id", gettext_lazy("Booking number")),
    ("date", gettext_lazy("Date")),
    ("start", gettext_lazy("Start")),
    ("end", gettext_lazy("End")),
    ("service", gettext_lazy("Service")),
    ("venue", gettext_lazy("Venue")),
    ("room", gettext_lazy("Room")),
    ("status", gettext_lazy("Status")),
    ("family_name", gettext_lazy("Family name")),
    ("given_name", gettext_lazy("Given name")),
    ("family_kana", gettext_lazy("Family name (furigana)")),
    ("given_kana", gettext_lazy("Given name (furigana)")),
    ("birth_date", gettext_lazy("Date of birth")),
    ("sex", gettext_lazy("Sex")),
    ("phone", gettext_lazy("Phone number")),
    ("email", gettext_lazy("E-mail address")),
    ("channel", gettext_lazy("How booked")),
    ("created_at", gettext_lazy("Booked at")),
    ("checked_in_at", gettext_lazy("Checked in at")),
    ("cancelled_at", gettext_lazy("Cancelled at")),
    ("cancel_reason", gettext_lazy("Reason for cancelling")),
)


@dataclasses.dataclass(frozen=True)
class BookingExport:
    """What to export: the caller has checked the services are the staff member's department's."""

    services: tuple[Service, ...]
    start: dt.date
    end: dt.date
    format: str
    language: str
    include_cancelled: bool = True

    @property
    def filename(self) -> str:
        code = self.services[0].code if len(self.services) == 1 else "reservations"
        return f"{code}_{self.start:%Y%m%d}-{self.end:%Y%m%d}.csv"

    def audit_details(self, result: ExportResult) -> dict[str, Any]:
        return {"format": self.format, "services": [s.code for s in self.services],
                "from": self.start.isoformat(), "to": self.end.isoformat(),
                "include_cancelled": self.include_cancelled, "rows": result.rows,
                "completed": result.completed, "replaced": result.replaced,
                "replaced_count": result.replaced_count}


def export_rows(job: BookingExport) -> QuerySet[Booking, dict[str, Any]]:
    lo, hi = period_bounds(job.start, job.end)
    qs = Booking.objects.filter(service__in=job.services, slot__starts_at__gte=lo,
                                slot__starts_at__lt=hi)
    if not job.include_cancelled:
        qs = qs.filter(status__in=Booking.ACTIVE)
    return qs.order_by("slot__starts_at", "slot__room_id", "family_kana", "id").values(
        "public_id", "slot__starts_at", "slot__ends_at", "service_id", "slot__room__venue__name",
        "slot__room__name", "status", "family_name", "given_name", "family_kana", "given_kana",
        "birth_date", "sex", "phone", "email", "channel", "created_at", "checked_in_at",
        "cancelled_at", "cancel_reason")


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _cells(row: dict[str, Any], names: dict[int, str], labels: dict[str, dict[str, str]]
           ) -> list[str]:
    starts = timezone.localtime(row["slot__starts_at"])
    return [
        str(row["public_id"]), starts.strftime("%Y-%m-%d"), starts.strftime("%H:%M"),
        timezone.localtime(row["slot__ends_at"]).strftime("%H:%M"),
        names.get(row["service_id"], ""), localized(row["slot__room__venue__name"]),
        localized(row["slot__room__name"]),
        labels["status"].get(row["status"], row["status"]),
        row["family_name"], row["given_name"], row["family_kana"], row["given_kana"],
        row["birth_date"].isoformat() if row["birth_date"] else "",
        labels["sex"].get(row["sex"], row["sex"]), row["phone"], row["email"],
        labels["channel"].get(row["channel"], row["channel"]),
        _when(row["created_at"]), _when(row["checked_in_at"]), _when(row["cancelled_at"]),
        row["cancel_reason"],
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _line(writer: Any, job: BookingExport, ref: str, cells: list[str], result: ExportResult,
          names: list[str]) -> bytes:
    return csv_line(writer, job.format, ref, [clean_text(str(c)) for c in cells], result, names)


def csv_stream(job: BookingExport, on_finish: Callable[[ExportResult], None]) -> Iterator[bytes]:
    """The CSV, a few hundred lines per chunk; ``on_finish`` gets the result when it ends
    (sent, interrupted or failed), for the audit log."""
    result = ExportResult()
    writer = csv.writer(_Echo())
    source = export_rows(job).iterator(chunk_size=CHUNK_SIZE)
    try:
        with translation.override(job.language):
            header = [clean_text(str(label)) for _key, label in COLUMNS]
            service_names = {s.pk: localized(s.name) for s in job.services}
            labels = {"status": {k: str(v) for k, v in Booking.Status.choices},
                      "channel": {k: str(v) for k, v in CHANNEL_LABELS.items()},
                      "sex": {k: str(v) for k, v in Sex.choices}}
            head = _line(writer, job, "", header, result, header)
        yield (UTF8_BOM.encode("utf-8") if job.format == ExportFormat.CSV_UTF8 else b"") + head
        while True:
            with translation.override(job.language):
                lines = [_line(writer, job, str(row["public_id"]),
                               _cells(row, service_names, labels), result, header)
                         for row in islice(source, LINES_PER_CHUNK)]
            if not lines:
                break
            result.rows += len(lines)
            yield b"".join(lines)
        result.completed = True
    finally:
        source.close()
        on_finish(result)
