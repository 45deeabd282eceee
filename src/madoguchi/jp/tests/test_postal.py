import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.postal import MSG_POSTAL_CODE, format_postal_code, normalize_postal_code

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


@pytest.mark.parametrize(
    "typed",
    [
        "1234567",
        "123-4567",
        "〒123-4567",
        "〒 123-4567",
        " 123-4567 ",
        "１２３－４５６７",
        "〒１２３ー４５６７",
        "123−4567",
        "123 4567",
        "\u3000〒123-4567\u3000",
        "〶123-4567",
    ],
)
def test_accepts(typed):
    assert normalize_postal_code(typed) == "1234567"
    assert format_postal_code(typed) == "123-4567"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "123456",
        "12345678",
        "1234-567",
        "123-45678",
        "123--4567",
        "abc-defg",
        "〒",
        "〒〒1234567",
        "123-4567 東京都",
        "١٢٣-٤٥٦٧",
        "123_4567",
        "T123-4567",
    ],
)
def test_rejects(typed):
    with pytest.raises(JPValueError) as exc:
        normalize_postal_code(typed)
    assert exc.value.code == "invalid_postal_code"
    assert exc.value.message == MSG_POSTAL_CODE


@given(st.from_regex(r"[0-9]{7}", fullmatch=True), st.booleans(), st.booleans())
def test_round_trip(digits, hyphen, full_width):
    typed = f"{digits[:3]}-{digits[3:]}" if hyphen else digits
    if full_width:
        typed = typed.translate(FULL_WIDTH)
    assert normalize_postal_code(typed) == digits
    assert format_postal_code(typed) == f"{digits[:3]}-{digits[3:]}"
    assert normalize_postal_code(format_postal_code(typed)) == digits
