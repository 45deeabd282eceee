import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.phone import MSG_PHONE, format_phone, normalize_phone

FULL_WIDTH = str.maketrans("0123456789-()+", "０１２３４５６７８９－（）＋")


@pytest.mark.parametrize(
    ("typed", "digits", "formatted"),
    [
        ("090-1234-5678", "09012345678", "090-1234-5678"),
        ("09012345678", "09012345678", "090-1234-5678"),
        ("０９０－１２３４－５６７８", "09012345678", "090-1234-5678"),
        ("080 1234 5678", "08012345678", "080-1234-5678"),
        ("070ー1234ー5678", "07012345678", "070-1234-5678"),
        ("050-1234-5678", "05012345678", "050-1234-5678"),
        ("+81 90-1234-5678", "09012345678", "090-1234-5678"),
        ("＋８１９０１２３４５６７８", "09012345678", "090-1234-5678"),
        ("+81 (0)90 1234 5678", "09012345678", "090-1234-5678"),
        ("03-1234-5678", "0312345678", "03-1234-5678"),
        ("03(1234)5678", "0312345678", "03-1234-5678"),
        ("(03)1234-5678", "0312345678", "03-1234-5678"),
        ("+81-3-1234-5678", "0312345678", "03-1234-5678"),
        ("06−1234−5678", "0612345678", "06-1234-5678"),
        ("045-123-4567", "0451234567", "045-123-4567"),
        ("0120-123-456", "0120123456", "0120-123-456"),
        ("0570-000-123", "0570000123", "0570-000-123"),
        ("0800-123-4567", "08001234567", "0800-123-4567"),
        (" 011-123-4567 ", "0111234567", "011-123-4567"),
    ],
)
def test_accepts_and_formats(typed, digits, formatted):
    assert normalize_phone(typed) == digits
    assert format_phone(typed) == formatted
    assert format_phone(digits) == formatted


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "1234-5678",
        "090-1234-567",
        "090-1234-56789",
        "0901234567",
        "080-123-4567",
        "050-123-4567",
        "020-123-4567",
        "00-1234-5678",
        "0012345678",
        "1234567890",
        "03-1234-56789",
        "03-1234-5678 内線12",
        "+1 212 555 1234",
        "81-90-1234-5678",
        "03.1234.5678",
        "090+1234+5678",
        "٠٣-١٢٣٤-٥٦٧٨",
        "0120-123-4567",
    ],
)
def test_rejects(typed):
    with pytest.raises(JPValueError) as exc:
        normalize_phone(typed)
    assert exc.value.code == "invalid_phone"
    assert exc.value.message == MSG_PHONE


@given(
    st.sampled_from(["070", "080", "090", "050"]),
    st.from_regex(r"[1-9][0-9]{7}", fullmatch=True),  # 080-0... is 0800 free dial
    st.sampled_from(["", "-", " ", "−", "ー"]),
    st.booleans(),
)
def test_mobile_numbers_any_separator_and_width(prefix, rest, sep, full_width):
    typed = f"{prefix}{sep}{rest[:4]}{sep}{rest[4:]}"
    if full_width:
        typed = typed.translate(FULL_WIDTH)
    assert normalize_phone(typed) == prefix + rest
    assert format_phone(typed) == f"{prefix}-{rest[:4]}-{rest[4:]}"


@given(st.from_regex(r"0[1-9][0-9]{8}", fullmatch=True))
def test_ten_digit_numbers_round_trip_through_format(digits):
    try:
        normalized = normalize_phone(digits)
    except JPValueError:
        assert digits[:3] in {"020", "050", "060", "070", "080", "090"}
        return
    assert normalized == digits
    formatted = format_phone(digits)
    assert formatted.replace("-", "") == digits
    assert formatted.count("-") == 2
    assert normalize_phone(formatted) == digits
