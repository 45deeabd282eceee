"""受付番号 (receipt numbers) for applications: "2026-0000123-4".

Year (4 digits), serial (7 digits, zero-padded) and a Luhn check digit over the 11 digits of
year and serial. Luhn catches every single-digit error and most swaps of neighbouring digits
(not 09 ↔ 90). The マイナンバー mod-11 scheme was not reused: it writes both r = 0 and r = 1 as
0, so some single-digit errors pass it.
"""

from __future__ import annotations

from .errors import JPValueError
from .width import normalize_hyphens, to_ascii

MSG_RECEIPT_FORMAT = "受付番号は「2026-0000123-4」の形で入力してください"
MSG_RECEIPT_CHECK_DIGIT = "受付番号に誤りがあります。番号を確かめてください"

MIN_YEAR = 1000
MAX_YEAR = 9999
MAX_SERIAL = 9_999_999


def _luhn_check_digit(payload: str) -> int:
    total = 0
    # The digit next to the check digit is doubled, then every second one to the left.
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d >= 5 else d * 2
        total += d
    return (10 - total % 10) % 10


def make_receipt_number(year: int, serial: int) -> str:
    """Receipt number for ``serial`` (1..9,999,999) in ``year`` (1000..9999), e.g.
    ``make_receipt_number(2026, 123)``. Raises ValueError (a programming error) when out of range.
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year out of range: {year}")
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial out of range: {serial}")
    payload = f"{year:04d}{serial:07d}"
    return f"{year:04d}-{serial:07d}-{_luhn_check_digit(payload)}"


def _parse(s: str) -> tuple[int, int, int] | None:
    """(year, serial, check) from typed text, or None if it does not have the shape."""
    text = "".join(normalize_hyphens(to_ascii(s)).split())
    if not text.isascii():
        return None
    parts = text.split("-")
    if len(parts) == 1 and len(text) == 12:
        parts = [text[:4], text[4:11], text[11:]]
    if len(parts) != 3:
        return None
    year, serial, check = parts
    if not (len(year) == 4 and 1 <= len(serial) <= 7 and len(check) == 1):
        return None
    if not (year + serial + check).isdigit():
        return None
    if int(year) < MIN_YEAR or int(serial) == 0:
        return None
    return int(year), int(serial), int(check)


def normalize_receipt_number(s: str) -> str:
    """Canonical "2026-0000123-4" form of a typed receipt number.

    Accepts full-width digits, any hyphen, spaces, no hyphens at all ("202600001234") and a
    serial without leading zeros ("2026-123-4"). Raises JPValueError for another shape or a
    wrong check digit.
    """
    parsed = _parse(s)
    if parsed is None:
        raise JPValueError(MSG_RECEIPT_FORMAT, "invalid_receipt_number")
    year, serial, check = parsed
    canonical = make_receipt_number(year, serial)
    if int(canonical[-1]) != check:
        raise JPValueError(MSG_RECEIPT_CHECK_DIGIT, "invalid_receipt_check_digit")
    return canonical


def is_valid_receipt_number(s: str) -> bool:
    """True if ``s`` is a receipt number with a correct check digit (same tolerance as
    ``normalize_receipt_number``)."""
    try:
        normalize_receipt_number(s)
    except JPValueError:
        return False
    return True
