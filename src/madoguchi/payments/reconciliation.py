"""Daily reconciliation of a provider's settlement file against the city's records.

The file is the provider's itemized payout report as CSV (Stripe's "Payout reconciliation,
itemized" columns: ``reporting_category``, ``gross``, ``payment_metadata[reference]`` and,
when present, ``created`` / ``created_utc``). Charges add, refunds subtract; each reference's
net is compared with what the city recorded (amount paid less refunds). Amounts in yen, a
zero-decimal currency, may be written ``300`` or ``300.00``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

REFERENCE_COLUMNS = ("payment_metadata[reference]", "metadata[reference]", "reference")
AMOUNT_COLUMNS = ("gross", "amount")
CATEGORIES = {"charge": 1, "payment": 1, "refund": -1, "payment_refund": -1}
MAX_BYTES = 5 * 1024 * 1024


class SettlementFileError(ValueError):
    """The file cannot be read; ``code`` (encoding, columns, amount, size) and the line."""

    def __init__(self, code: str, line: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.line = line


@dataclass(frozen=True)
class Expected:
    """What the city recorded for one reference (net yen and the payment's public id)."""

    reference: str
    amount: int
    receipt_number: str = ""


@dataclass
class Report:
    matched: list[tuple[str, int]] = field(default_factory=list)
    differs: list[tuple[str, int, int]] = field(default_factory=list)  # ref, ours, theirs
    missing_in_file: list[tuple[str, int]] = field(default_factory=list)
    missing_in_records: list[tuple[str, int]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.differs or self.missing_in_file or self.missing_in_records)

    def rows(self) -> Iterable[tuple[str, str, str, str]]:
        """(result, reference, city amount, file amount) for every line, for the CSV."""
        for ref, amount in self.matched:
            yield "matched", ref, str(amount), str(amount)
        for ref, ours, theirs in self.differs:
            yield "amount_differs", ref, str(ours), str(theirs)
        for ref, amount in self.missing_in_file:
            yield "missing_in_file", ref, str(amount), ""
        for ref, amount in self.missing_in_records:
            yield "missing_in_records", ref, "", str(amount)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else CP932 (a file saved by Excel in Japan)."""
    if len(data) > MAX_BYTES:
        raise SettlementFileError("size")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SettlementFileError("encoding")


def parse(text: str) -> dict[str, int]:
    """Net yen per reference from the settlement file's text."""
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    ref_col = next((c for c in REFERENCE_COLUMNS if c in columns), None)
    amount_col = next((c for c in AMOUNT_COLUMNS if c in columns), None)
    if ref_col is None or amount_col is None or "reporting_category" not in columns:
        raise SettlementFileError("columns")
    totals: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        sign = CATEGORIES.get((row.get("reporting_category") or "").strip())
        reference = (row.get(ref_col) or "").strip()
        if sign is None or not reference:
            continue  # fees, adjustments, payouts: not a payment of ours
        try:
            value = Decimal((row.get(amount_col) or "").replace(",", "").strip())
        except InvalidOperation:
            raise SettlementFileError("amount", number) from None
        if value != value.to_integral_value():
            raise SettlementFileError("amount", number)
        # Refund rows carry a negative gross already; a positive one is still a refund.
        amount = abs(int(value)) * sign
        totals[reference] = totals.get(reference, 0) + amount
    return totals


def reconcile(settled: dict[str, int], expected: Iterable[Expected]) -> Report:
    """Compare the file's nets with the city's records for the same period."""
    report = Report()
    ours = {e.reference: e.amount for e in expected}
    for reference, amount in sorted(ours.items()):
        if reference not in settled:
            report.missing_in_file.append((reference, amount))
        elif settled[reference] == amount:
            report.matched.append((reference, amount))
        else:
            report.differs.append((reference, amount, settled[reference]))
    for reference, amount in sorted(settled.items()):
        if reference not in ours:
            report.missing_in_records.append((reference, amount))
    return report


def day_bounds(day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def report_csv(report: Report, labels: dict[str, str], header: list[str]) -> bytes:
    """The report as CSV in CP932 (opens in Excel in Japan)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for result, reference, ours, theirs in report.rows():
        writer.writerow([labels.get(result, result), reference, ours, theirs])
    return out.getvalue().encode("cp932", errors="replace")
