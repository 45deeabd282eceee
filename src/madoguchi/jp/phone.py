"""Japanese telephone numbers (domestic form, digits only).

Validation and hyphenation follow the national numbering plan through the ``phonenumbers``
library (Google's libphonenumber metadata for region JP, which tracks the 総務省 plan): area
codes of one to four digits after the trunk 0 (03-1234-5678, 045-123-4567, 0235-25-1234,
01267-1-2345), mobiles (070/080/090), IP phones (050), free dial (0120, 0800), navi dial (0570)
and so on. Nothing here is a hand-written rule about where the hyphens go.
"""

from __future__ import annotations

import re

import phonenumbers

from .errors import JPValueError
from .width import normalize_hyphens, to_ascii

MSG_PHONE = "電話番号を市外局番から入力してください（例：090-1234-5678、03-1234-5678）"

REGION = "JP"
JAPAN_COUNTRY_CODE = 81
# What a typed number may hold once folded to ASCII: digits, hyphens, spaces and parentheses,
# after an optional +81 (also "+81(0)"). Letters (vanity numbers), extensions ("内線12") and
# other countries are refused before the library sees the text.
_RE_PHONE = re.compile(r"(\+81\s*(?:\(0\))?)?[0-9()\s-]+", re.ASCII)


def _error() -> JPValueError:
    return JPValueError(MSG_PHONE, "invalid_phone")


def _parse(s: str) -> phonenumbers.PhoneNumber:
    """The number in ``s`` as a valid Japanese number, or JPValueError."""
    if not isinstance(s, str):
        raise _error()
    text = normalize_hyphens(to_ascii(s)).strip()
    m = _RE_PHONE.fullmatch(text)
    if m is None:
        raise _error()
    rest = text[m.end(1) :] if m[1] else text
    digits = "".join(ch for ch in rest if ch.isdigit())
    if m[1]:  # +81: the trunk 0 is dropped in international form; put it back
        digits = "0" + digits.removeprefix("0")
    if not digits.startswith("0") or digits.startswith("00"):
        raise _error()  # domestic numbers start with the trunk 0; 00 is an international call
    try:
        number = phonenumbers.parse(digits, REGION)
    except phonenumbers.NumberParseException as exc:
        raise _error() from exc
    if number.country_code != JAPAN_COUNTRY_CODE or not phonenumbers.is_valid_number(number):
        raise _error()
    return number


def normalize_phone(s: str) -> str:
    """Return a phone number as ASCII digits in domestic form ("09012345678").

    Accepts full-width digits, any kind of hyphen, spaces and parentheses ("03(1234)5678"), and
    the international prefix "+81" (with or without the trunk 0, also "+81(0)"). The number
    must be valid in the Japanese numbering plan (``phonenumbers``); raises JPValueError
    otherwise.
    """
    return "0" + phonenumbers.national_significant_number(_parse(s))


def format_phone(value: str) -> str:
    """A phone number hyphenated as the numbering plan groups it (0235-25-1234).

    Never raises: what the library cannot format (an invalid or unknown number, a value kept
    from before a rule changed) is returned exactly as given, i.e. as the resident typed it.
    """
    try:
        number = _parse(value)
    except JPValueError:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
