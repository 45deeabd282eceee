import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.phone import MSG_PHONE, format_phone, normalize_phone

FULL_WIDTH = str.maketrans("0123456789-()+ ", "０１２３４５６７８９－（）＋\u3000")

# Across the numbering plan (総務省 電気通信番号計画): the trunk 0, then an area code of one to
# four digits and a local number of one to four digits before the subscriber's four; mobiles,
# IP phones, free dial and navi dial. The numbers are city halls and well-known shapes.
NUMBERING_PLAN = [
    # area code of 1 digit (03 Tokyo, 06 Osaka): grouped 2-4-4
    ("03-1234-5678", "0312345678", "03-1234-5678"),
    ("06-6123-4567", "0661234567", "06-6123-4567"),
    # 2 digits (011 Sapporo, 045 Yokohama, 052 Nagoya, 092 Fukuoka): grouped 3-3-4
    ("011-211-1234", "0112111234", "011-211-1234"),
    ("045-671-2121", "0456712121", "045-671-2121"),
    ("052-961-1111", "0529611111", "052-961-1111"),
    ("092-711-4111", "0927114111", "092-711-4111"),
    # 3 digits (0235 Tsuruoka, 0466 Fujisawa, 0123 Chitose): grouped 4-2-4
    ("0235-25-2111", "0235252111", "0235-25-2111"),
    ("0466-25-1111", "0466251111", "0466-25-1111"),
    ("0123-24-3131", "0123243131", "0123-24-3131"),
    # 4 digits (01267 Iwamizawa area, 04992 Izu Oshima, 01456, 09802): grouped 5-1-4
    ("01267-1-2345", "0126712345", "01267-1-2345"),
    ("04992-2-1446", "0499221446", "04992-2-1446"),
    ("01456-2-1234", "0145621234", "01456-2-1234"),
    ("09802-2-1234", "0980221234", "09802-2-1234"),
    # mobiles and IP phones: grouped 3-4-4
    ("070-1234-5678", "07012345678", "070-1234-5678"),
    ("080-1234-5678", "08012345678", "080-1234-5678"),
    ("090-1234-5678", "09012345678", "090-1234-5678"),
    ("050-1234-5678", "05012345678", "050-1234-5678"),
    # free dial and navi dial
    ("0120-123-456", "0120123456", "0120-123-456"),
    ("0800-123-4567", "08001234567", "0800-123-4567"),
    ("0570-000-123", "0570000123", "0570-000-123"),
]

TYPED_SHAPES = [
    # full-width digits and hyphens, spaces of either width, +81 with and without (0)
    ("０２３５－２５－２１１１", "0235252111", "0235-25-2111"),
    ("0235 25 2111", "0235252111", "0235-25-2111"),
    ("0235\u300025\u30002111", "0235252111", "0235-25-2111"),
    ("0235252111", "0235252111", "0235-25-2111"),
    ("+81 235 25 2111", "0235252111", "0235-25-2111"),
    ("+81(0)235-25-2111", "0235252111", "0235-25-2111"),
    ("＋８１　１２６７　１　２３４５", "0126712345", "01267-1-2345"),
    ("+81 90-1234-5678", "09012345678", "090-1234-5678"),
    ("＋８１９０１２３４５６７８", "09012345678", "090-1234-5678"),
    ("+81 (0)90 1234 5678", "09012345678", "090-1234-5678"),
    ("+81-3-1234-5678", "0312345678", "03-1234-5678"),
    ("03(1234)5678", "0312345678", "03-1234-5678"),
    ("(03)1234-5678", "0312345678", "03-1234-5678"),
    ("070ー1234ー5678", "07012345678", "070-1234-5678"),
    ("06−6123−4567", "0661234567", "06-6123-4567"),
    (" 045-671-2121 ", "0456712121", "045-671-2121"),
    ("0466-251-111", "0466251111", "0466-25-1111"),  # hyphens typed in the wrong places
]


@pytest.mark.parametrize(("typed", "digits", "formatted"), NUMBERING_PLAN + TYPED_SHAPES)
def test_accepts_and_formats_across_the_numbering_plan(typed, digits, formatted):
    assert normalize_phone(typed) == digits
    assert format_phone(typed) == formatted
    assert format_phone(digits) == formatted
    assert normalize_phone(formatted) == digits


@pytest.mark.parametrize(("typed", "digits", "formatted"), NUMBERING_PLAN)
def test_full_width_input_is_the_same_number(typed, digits, formatted):
    assert normalize_phone(typed.translate(FULL_WIDTH)) == digits
    assert format_phone(typed.translate(FULL_WIDTH)) == formatted


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "1234-5678",
        "090-1234-567",
        "090-1234-56789",
        "0901234567",
        "050-123-4567",
        "00-1234-5678",
        "0012345678",
        "1234567890",
        "03-1234-56789",
        "03-1234-5678 内線12",
        "0120-ABC-DEF",  # vanity letters are not a number here
        "+1 212 555 1234",
        "81-90-1234-5678",
        "03.1234.5678",
        "090+1234+5678",
        "٠٣-١٢٣٤-٥٦٧٨",
        "0120-123-4567",
        "011-123-4567",  # not in use in the plan (the old rules took any 10 digits)
    ],
)
def test_rejects(typed):
    with pytest.raises(JPValueError) as exc:
        normalize_phone(typed)
    assert exc.value.code == "invalid_phone"
    assert exc.value.message == MSG_PHONE


@pytest.mark.parametrize(
    "value",
    ["011-123-4567", "0111234567", "03-1234-567", "０１２０－１２３４－５６７", "+1 212 555 1234",
     "03-1234-5678 内線12", "abc", ""],
)
def test_format_shows_what_the_library_cannot_format_as_typed(value):
    assert format_phone(value) == value


@given(
    st.sampled_from(["070", "080", "090", "050"]),
    st.from_regex(r"[1-9][0-9]{7}", fullmatch=True),  # 080-0... is 0800 free dial
    st.sampled_from(["", "-", " ", "−", "ー"]),
    st.booleans(),
)
def test_mobile_numbers_any_separator_and_width(prefix, rest, sep, full_width):
    assume(phonenumbers.is_valid_number(phonenumbers.parse(prefix + rest, "JP")))
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
        assert format_phone(digits) == digits
        return
    assert normalized == digits
    formatted = format_phone(digits)
    assert formatted.replace("-", "") == digits
    assert formatted.count("-") == 2
    assert normalize_phone(formatted) == digits
