"""郵便番号 (postal codes): 7 digits, written 123-4567."""

from __future__ import annotations

import re

from .errors import JPValueError
from .width import normalize_hyphens, to_ascii

MSG_POSTAL_CODE = "郵便番号を7桁の数字で入力してください（例：123-4567）"

# 〒 and its variants 〶 (circled) and 〠 (postal mark face) may precede the code.
_RE_POSTAL = re.compile(r"[〒〶〠]?\s*(\d{3})[-\s]?(\d{4})", re.ASCII)


def normalize_postal_code(s: str) -> str:
    """Return the 7 ASCII digits of a postal code.

    Accepts "1234567", "123-4567", "〒123-4567", full-width digits and hyphens, and spaces
    around it. Raises JPValueError otherwise.
    """
    m = _RE_POSTAL.fullmatch(normalize_hyphens(to_ascii(s)).strip())
    if m is None:
        raise JPValueError(MSG_POSTAL_CODE, "invalid_postal_code")
    return m[1] + m[2]


def format_postal_code(s: str) -> str:
    """Format a postal code as "123-4567" (input as for ``normalize_postal_code``)."""
    digits = normalize_postal_code(s)
    return f"{digits[:3]}-{digits[3:]}"
