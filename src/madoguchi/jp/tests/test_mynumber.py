import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.mynumber import (
    MSG_MY_NUMBER_CHECK_DIGIT,
    MSG_MY_NUMBER_LENGTH,
    mask_my_number,
    my_number_check_digit,
    normalize_my_number,
)

prefixes = st.from_regex(r"[0-9]{11}", fullmatch=True)


def test_domain_example():
    assert my_number_check_digit("12345678901") == 8
    assert normalize_my_number("123456789018") == "123456789018"
    with pytest.raises(JPValueError) as exc:
        normalize_my_number("123456789019")
    assert exc.value.code == "invalid_my_number_check_digit"
    assert exc.value.message == MSG_MY_NUMBER_CHECK_DIGIT


@pytest.mark.parametrize(
    ("first11", "check"),
    [
        ("00000000000", 0),  # r = 0
        ("00000000001", 9),  # P1 = 1, Q1 = 2: r = 2 -> 11 - 2
        ("00000000005", 1),  # 5 * 2 = 10: r = 10 -> 1
        ("00000100000", 4),  # P6 = 1, Q6 = 7: r = 7 -> 4
        ("00001000000", 9),  # P7 = 1, Q7 = 2: r = 2 -> 9
        ("10000000000", 5),  # P11 = 1, Q11 = 6: r = 6 -> 5
    ],
)
def test_check_digit_by_hand(first11, check):
    assert my_number_check_digit(first11) == check


def test_check_digit_zero_when_remainder_is_one():
    # P1 = 6 -> 6 * 2 = 12, r = 1 -> check 0
    assert my_number_check_digit("00000000006") == 0


@pytest.mark.parametrize(
    "typed", ["1234 5678 9018", "1234-5678-9018", "１２３４５６７８９０１８", " 1234　5678　9018 "]
)
def test_width_hyphen_space_tolerant(typed):
    assert normalize_my_number(typed) == "123456789018"


@pytest.mark.parametrize(
    "typed", ["", "12345678901", "1234567890180", "abcd5678901", "١٢٣٤٥٦٧٨٩٠١٨", "12345678901８x"]
)
def test_wrong_length(typed):
    with pytest.raises(JPValueError) as exc:
        normalize_my_number(typed)
    assert exc.value.code == "invalid_my_number_length"
    assert exc.value.message == MSG_MY_NUMBER_LENGTH


@pytest.mark.parametrize(
    "bad", ["1234567890", "123456789012", "1234567890a", "１２３４５６７８９０１"]
)
def test_check_digit_needs_11_ascii_digits(bad):
    with pytest.raises(JPValueError):
        my_number_check_digit(bad)


@given(prefixes)
def test_exactly_one_check_digit_is_valid(first11):
    valid = []
    for d in "0123456789":
        try:
            normalize_my_number(first11 + d)
        except JPValueError as e:
            assert e.code == "invalid_my_number_check_digit"
        else:
            valid.append(d)
    assert valid == [str(my_number_check_digit(first11))]


def test_mask():
    assert mask_my_number("123456789018") == "********9018"
    assert mask_my_number("1234-5678-9018") == "********9018"
    assert mask_my_number("12345") == "************"
    assert mask_my_number("") == "************"


@given(st.text())
def test_mask_never_raises_or_leaks_more_than_four_digits(s):
    masked = mask_my_number(s)
    assert len(masked) == 12
    assert masked[:8] == "********"
    assert sum(ch.isdigit() for ch in masked) <= 4
