"""個人番号 (マイナンバー): 12 digits, the last a check digit (検査用数字)
whose formula is set by 総務省令 under the 番号法."""

from __future__ import annotations

from .errors import JPValueError
from .width import normalize_hyphens, to_ascii

MSG_MY_NUMBER_LENGTH = "個人番号（マイナンバー）は12桁の数字で入力してください"
MSG_MY_NUMBER_CHECK_DIGIT = "個人番号（マイナンバー）に誤りがあります。番号を確かめてください"


def _is_ascii_digits(s: str, length: int) -> bool:
    return len(s) == length and s.isascii() and s.isdigit()


def my_number_check_digit(first11: str) -> int:
    """Check digit for the first 11 digits of a マイナンバー.

    Number the digits n = 1..11 from the right; weight Qn = n + 1 for n <= 6, n - 5 for n >= 7;
    r = sum(Pn * Qn) mod 11; the check digit is 0 if r <= 1, else 11 - r.
    """
    if not _is_ascii_digits(first11, 11):
        raise JPValueError(MSG_MY_NUMBER_LENGTH, "invalid_my_number_length")
    total = 0
    for n, ch in enumerate(reversed(first11), start=1):
        total += int(ch) * (n + 1 if n <= 6 else n - 5)
    r = total % 11
    return 0 if r <= 1 else 11 - r


def normalize_my_number(s: str) -> str:
    """Return a マイナンバー as 12 ASCII digits after checking its length and check digit.

    Full-width digits, hyphens of any kind and spaces are accepted.
    """
    digits = "".join(normalize_hyphens(to_ascii(s)).replace("-", "").split())
    if not _is_ascii_digits(digits, 12):
        raise JPValueError(MSG_MY_NUMBER_LENGTH, "invalid_my_number_length")
    if my_number_check_digit(digits[:11]) != int(digits[11]):
        raise JPValueError(MSG_MY_NUMBER_CHECK_DIGIT, "invalid_my_number_check_digit")
    return digits


def mask_my_number(s: str) -> str:
    """Mask all but the last 4 digits: "********9018".

    Never raises; a value that is not 12 digits is masked completely ("************") so a
    malformed value does not leak either.
    """
    digits = "".join(normalize_hyphens(to_ascii(s)).replace("-", "").split())
    if _is_ascii_digits(digits, 12):
        return "*" * 8 + digits[8:]
    return "*" * 12
