import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.receipt import (
    MSG_RECEIPT_CHECK_DIGIT,
    MSG_RECEIPT_FORMAT,
    is_valid_receipt_number,
    make_receipt_number,
    normalize_receipt_number,
)

years = st.integers(1000, 9999)
serials = st.integers(1, 9_999_999)
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _luhn_ok(digits: str) -> bool:
    """Reference Luhn validation: double every second digit from the right, sum, mod 10."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d // 10 + d % 10
    return total % 10 == 0


def test_example():
    # Luhn over 20260000123: 3*2 + 2 + 1*2 + 0 + 0 + 0 + 0 + 6 + 2*2 + 0 + 2*2 = 24 -> 6
    assert make_receipt_number(2026, 123) == "2026-0000123-6"
    assert is_valid_receipt_number("2026-0000123-6")
    assert not is_valid_receipt_number("2026-0000123-5")


@pytest.mark.parametrize(
    "typed",
    [
        "2026-0000123-6",
        "202600001236",
        "２０２６－００００１２３－６",
        " 2026 - 0000123 - 6 ",
        "2026ー0000123ー6",
        "2026-123-6",
        "2026−0000123−6",
    ],
)
def test_tolerant_input(typed):
    assert normalize_receipt_number(typed) == "2026-0000123-6"
    assert is_valid_receipt_number(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "2026-0000123",
        "2026-00001234-5",
        "2026--0000123-6",
        "26-0000123-6",
        "0999-0000123-6",
        "2026-0000000-0",
        "2026-0000123-66",
        "20260000123",
        "2026-0000123-x",
        "٢٠٢٦-٠٠٠٠١٢٣-٦",
    ],
)
def test_rejects_shape(typed):
    with pytest.raises(JPValueError) as exc:
        normalize_receipt_number(typed)
    assert exc.value.code == "invalid_receipt_number"
    assert exc.value.message == MSG_RECEIPT_FORMAT
    assert not is_valid_receipt_number(typed)


def test_rejects_check_digit():
    with pytest.raises(JPValueError) as exc:
        normalize_receipt_number("2026-0000123-7")
    assert exc.value.code == "invalid_receipt_check_digit"
    assert exc.value.message == MSG_RECEIPT_CHECK_DIGIT


@pytest.mark.parametrize(("year", "serial"), [(999, 1), (10000, 1), (2026, 0), (2026, 10**7)])
def test_make_rejects_out_of_range(year, serial):
    with pytest.raises(ValueError):
        make_receipt_number(year, serial)


@given(years, serials, st.booleans())
def test_round_trip(year, serial, full_width):
    number = make_receipt_number(year, serial)
    assert number == f"{year}-{serial:07d}-{number[-1]}"
    assert _luhn_ok(number.replace("-", ""))
    typed = number.translate(FULL_WIDTH) if full_width else number
    assert normalize_receipt_number(typed) == number
    assert normalize_receipt_number(number.replace("-", "")) == number


@given(years, serials, st.integers(0, 11), st.integers(1, 9))
def test_any_single_digit_change_is_detected(year, serial, position, delta):
    digits = list(make_receipt_number(year, serial).replace("-", ""))
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    assert not is_valid_receipt_number(changed)
    assert not is_valid_receipt_number(f"{changed[:4]}-{changed[4:11]}-{changed[11]}")
