"""Japanese telephone numbers (domestic form, digits only)."""

from __future__ import annotations

import re

from .errors import JPValueError
from .width import normalize_hyphens, to_ascii

MSG_PHONE = "電話番号を市外局番から入力してください（例：090-1234-5678、03-1234-5678）"

_MOBILE_PREFIXES = ("070", "080", "090", "050")  # mobile and IP phones: 11 digits
_NOT_FIXED_PREFIXES = ("020", "050", "060", "070", "080", "090")  # never 10-digit numbers
_RE_PHONE = re.compile(r"(\+81\s*(?:\(0\))?)?[0-9()\s-]+", re.ASCII)


def _error() -> JPValueError:
    return JPValueError(MSG_PHONE, "invalid_phone")


def normalize_phone(s: str) -> str:
    """Return a phone number as ASCII digits in domestic form ("09012345678").

    Accepts full-width digits, any kind of hyphen, spaces and parentheses ("03(1234)5678"), and
    the international prefix "+81" (with or without the trunk 0, also "+81(0)"). Valid numbers:
    mobile and IP phones 070/080/090/050 (11 digits), 0800 free dial (11 digits), and 10-digit
    numbers starting with 0 but not 00 (fixed lines, 0120, 0570). Raises JPValueError otherwise.
    """
    text = normalize_hyphens(to_ascii(s)).strip()
    m = _RE_PHONE.fullmatch(text)
    if m is None:
        raise _error()
    rest = text[m.end(1) :] if m[1] else text
    digits = "".join(ch for ch in rest if ch.isdigit())
    if m[1]:  # +81: the trunk 0 is dropped in international form; put it back
        digits = "0" + digits.removeprefix("0")
    if _is_valid(digits):
        return digits
    raise _error()


def _is_valid(digits: str) -> bool:
    if not digits.startswith("0") or digits.startswith("00"):
        return False
    if len(digits) == 11:
        return digits.startswith(_MOBILE_PREFIXES)  # includes 0800 (starts with 080)
    if len(digits) == 10:
        return not digits.startswith(_NOT_FIXED_PREFIXES)
    return False


def format_phone(digits: str) -> str:
    """Hyphenate a phone number for display.

    Mobile/IP 3-4-4 (090-1234-5678), 0800 4-3-4, 0120/0570/0990 4-3-3, 03 and 06 2-4-4,
    other fixed numbers 3-3-4. Limitation: real area codes are 2 to 5 digits long (0467-12-3456,
    01267-1-2345) and need the national numbering table; without it such numbers get 3-3-4,
    which is readable but not how the number is usually written. Input as for
    ``normalize_phone``.
    """
    d = normalize_phone(digits)
    if len(d) == 11:
        if d.startswith("0800"):
            return f"{d[:4]}-{d[4:7]}-{d[7:]}"
        return f"{d[:3]}-{d[3:7]}-{d[7:]}"
    if d.startswith(("0120", "0570", "0990")):
        return f"{d[:4]}-{d[4:7]}-{d[7:]}"
    if d.startswith(("03", "06")):
        return f"{d[:2]}-{d[2:6]}-{d[6:]}"
    return f"{d[:3]}-{d[3:6]}-{d[6:]}"
