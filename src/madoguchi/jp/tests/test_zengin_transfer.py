"""The 全銀協 総合振込 file: written field by field, read back by the same published layout."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp import zengin_transfer as zt
from madoguchi.jp.errors import JPValueError
from madoguchi.jp.zengin import ALLOWED, to_zengin_name

SENDER = zt.Sender(code="0123456789", name="ﾐﾄﾞﾘｶﾞｵｶｼ ｶｲｹｲｶﾝﾘｼﾔ", bank_code="0001",
                   bank_name="ﾐｽﾞﾎ", branch_code="001", branch_name="ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ",
                   account_type="current", account_number="0012345")
PAYEE = zt.Transfer(bank_code="0005", bank_name="ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴ-", branch_code="001",
                    branch_name="ﾎﾝﾃﾝ", account_type="ordinary", account_number="1234567",
                    payee_name="ﾀｶﾊｼ ﾐｻｷ", amount=12_000, customer_code1="123",
                    customer_code2="2026")
WEDNESDAY = dt.date(2026, 12, 9)
# The bytes JIS X 0201 allows in a record: what jp.zengin allows, as CP932 writes it.
ALLOWED_BYTES = {ch.encode("cp932")[0] for ch in ALLOWED}


def _file(*transfers: zt.Transfer) -> bytes:
    return zt.build_file(SENDER, WEDNESDAY, transfers or (PAYEE,))


def test_every_record_is_120_bytes_and_a_crlf():
    content = _file(PAYEE, dataclasses.replace(PAYEE, amount=3))
    lines = content.split(b"\r\n")
    assert lines[-1] == b"" and len(lines) == 6  # header, 2 data, trailer, end, then nothing
    assert all(len(line) == 120 for line in lines[:-1])
    assert [line[:1] for line in lines[:-1]] == [b"1", b"2", b"2", b"8", b"9"]
    assert b"\n" not in content.replace(b"\r\n", b"")


def test_the_header_reads_back_field_by_field():
    header = zt.parse_file(_file()).header
    assert header == {
        "record_type": "1", "kind_code": "21", "code_type": "0", "sender_code": "0123456789",
        "sender_name": "ﾐﾄﾞﾘｶﾞｵｶｼ ｶｲｹｲｶﾝﾘｼﾔ", "payment_date": "1209", "bank_code": "0001",
        "bank_name": "ﾐｽﾞﾎ", "branch_code": "001", "branch_name": "ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ",
        "account_type": "2", "account_number": "0012345", "dummy": "",
    }


def test_the_header_is_at_the_published_positions():
    line = _file().split(b"\r\n")[0].decode("cp932")
    assert line[0] == "1" and line[1:3] == "21" and line[3] == "0"
    assert line[4:14] == "0123456789"
    assert line[14:54] == "ﾐﾄﾞﾘｶﾞｵｶｼ ｶｲｹｲｶﾝﾘｼﾔ".ljust(40)
    assert line[54:58] == "1209" and line[58:62] == "0001" and line[62:77] == "ﾐｽﾞﾎ".ljust(15)
    assert line[77:80] == "001" and line[80:95] == "ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ".ljust(15)
    assert line[95] == "2" and line[96:103] == "0012345" and line[103:] == " " * 17


def test_a_data_record_reads_back_field_by_field():
    data = zt.parse_file(_file()).data
    assert data == [{
        "record_type": "2", "bank_code": "0005", "bank_name": "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴ-",
        "branch_code": "001", "branch_name": "ﾎﾝﾃﾝ", "clearing_house": "0000",
        "account_type": "1", "account_number": "1234567", "payee_name": "ﾀｶﾊｼ ﾐｻｷ",
        "amount": "0000012000", "new_code": "0", "customer_code1": "0000000123",
        "customer_code2": "0000002026", "transfer_kind": "7", "edi_flag": "", "dummy": "",
    }]
    line = _file().split(b"\r\n")[1].decode("cp932")
    # Positions of the published layout (1-based there): 金額 81–90, 識別表示 113, ダミー 114–120.
    assert line[80:90] == "0000012000" and line[111] == "7" and line[112] == " "
    assert line[113:] == " " * 7


def test_edi_information_replaces_the_customer_codes():
    edi = dataclasses.replace(PAYEE, edi="2026-0000123-4", transfer_kind="8", new_code="1",
                              account_type="savings")
    record = zt.parse_file(_file(edi)).data[0]
    assert record["edi"] == "2026-0000123-4" and record["edi_flag"] == "Y"
    assert "customer_code1" not in record
    assert (record["transfer_kind"], record["new_code"], record["account_type"]) == ("8", "1", "4")


def test_the_trailer_counts_and_totals_the_data_and_the_end_record_closes():
    amounts = [1, 12_000, 9_999_999_999]
    parsed = zt.parse_file(_file(*(dataclasses.replace(PAYEE, amount=a) for a in amounts)))
    assert parsed.trailer == {"record_type": "8", "count": "000003",
                              "total": f"{sum(amounts):012d}", "dummy": ""}
    assert parsed.end == {"record_type": "9", "dummy": ""}
    assert [int(d["amount"]) for d in parsed.data] == amounts


def test_every_byte_is_in_the_jis_x_0201_set():
    content = _file(PAYEE, dataclasses.replace(PAYEE, payee_name="ｶ)ﾐﾄﾞﾘ(ｴｲ)", edi="A.B/C,"))
    for line in content.split(b"\r\n")[:-1]:
        assert set(line) <= ALLOWED_BYTES


NAME_ALPHABET = "アイウエオガギパピャュョッーヰヱヲヴぁあいうがぱ　 ＡａＢ１2（）－．株式会社営業所"


@given(st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=24))
def test_any_name_jp_zengin_accepts_round_trips(typed):
    try:
        name = to_zengin_name(typed)
    except JPValueError:
        return
    if len(name) > 30:
        with pytest.raises(JPValueError) as exc:
            _file(dataclasses.replace(PAYEE, payee_name=name))
        assert exc.value.code == "zengin_length"
        return
    content = _file(dataclasses.replace(PAYEE, payee_name=name))
    assert zt.parse_file(content).data[0]["payee_name"] == name.rstrip(" ")
    assert all(len(line) == 120 and set(line) <= ALLOWED_BYTES
               for line in content.split(b"\r\n")[:-1])


@pytest.mark.parametrize(("change", "code"), [
    ({"payee_name": "高橋"}, "zengin_text"),
    ({"payee_name": "ｱ" * 31}, "zengin_length"),
    ({"payee_name": "   "}, "zengin_length"),
    ({"amount": 0}, "zengin_amount"),
    ({"amount": 10_000_000_000}, "zengin_amount"),
    ({"account_number": "12345678"}, "zengin_digits"),
    ({"account_number": "12a"}, "zengin_digits"),
    ({"bank_code": "１２３４"}, "zengin_digits"),
    ({"account_type": "foreign"}, "zengin_choice"),
    ({"transfer_kind": "9"}, "zengin_choice"),
    ({"edi": "ｱ" * 21}, "zengin_length"),
])
def test_what_does_not_fit_is_refused_with_a_message(change, code):
    with pytest.raises(JPValueError) as exc:
        _file(dataclasses.replace(PAYEE, **change))
    assert exc.value.code == code
    assert "全銀" in exc.value.message or "振込" in exc.value.message


def test_a_file_without_transfers_is_refused():
    with pytest.raises(JPValueError) as exc:
        zt.build_file(SENDER, WEDNESDAY, [])
    assert exc.value.code == "zengin_empty_file"


def test_a_total_beyond_twelve_digits_is_refused():
    big = dataclasses.replace(PAYEE, amount=zt.MAX_AMOUNT)
    with pytest.raises(JPValueError) as exc:
        zt.build_file(SENDER, WEDNESDAY, [big] * 101)
    assert exc.value.code == "zengin_total"


@pytest.mark.parametrize(("day", "open_"), [
    (dt.date(2026, 12, 9), True),     # a Wednesday
    (dt.date(2026, 12, 12), False),   # Saturday
    (dt.date(2026, 12, 13), False),   # Sunday
    (dt.date(2026, 12, 30), True),    # the banks' last day of the year
    (dt.date(2026, 12, 31), False),   # 年末 (a Thursday)
    (dt.date(2027, 1, 1), False),     # 元日
    (dt.date(2027, 1, 4), True),      # 仕事始め (a Monday)
    (dt.date(2028, 1, 3), False),     # 年始 on a Monday
    (dt.date(2026, 11, 3), False),    # 文化の日 (a Tuesday)
    (dt.date(2026, 11, 23), False),   # 勤労感謝の日 (a Monday)
    (dt.date(2026, 5, 6), False),     # 振替休日 for 憲法記念日 on a Sunday
    (dt.date(2026, 9, 22), False),    # 国民の休日 between 敬老の日 and 秋分の日
    (dt.date(2027, 3, 22), False),    # 振替休日 for 春分の日
    (dt.date(2027, 3, 23), True),
])
def test_bank_business_days(day, open_):
    assert zt.is_bank_business_day(day) is open_


def test_a_holiday_is_refused_with_the_date_in_japanese():
    with pytest.raises(JPValueError) as exc:
        zt.build_file(SENDER, dt.date(2026, 12, 31), [PAYEE])
    assert exc.value.code == "zengin_holiday" and "2026年12月31日" in exc.value.message


def test_next_business_day_skips_the_new_year():
    assert zt.next_business_day(dt.date(2026, 12, 31)) == dt.date(2027, 1, 4)
    assert zt.next_business_day(WEDNESDAY) == WEDNESDAY


@pytest.mark.parametrize("broken", [
    lambda c: c[:-2],                                   # no CRLF after the end record
    lambda c: c.replace(b"\r\n", b"\n"),                # LF only
    lambda c: c[:5] + b"X" + c[6:],                     # a letter in 委託者コード
    lambda c: c.replace(b"000002000000024000", b"000003000000024000"),  # count differs
    lambda c: c.replace(b"000002000000024000", b"000002000000024001"),  # total differs
    lambda c: b"".join(c.split(b"\r\n", 1)[1:]),        # no header
    lambda c: c[:130] + c[130:250].replace(b" ", b"\x82", 1) + c[250:],  # not one byte each
])
def test_a_broken_file_is_refused_on_reading(broken):
    content = _file(PAYEE, PAYEE)
    with pytest.raises(JPValueError) as exc:
        zt.parse_file(broken(content))
    assert exc.value.code == "zengin_parse"


def test_bank_names_are_fitted_without_splitting_a_sound_mark():
    assert zt.fit_name("トウキヨウエイギヨウブ", 15) == "ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ"
    assert zt.fit_name("アイウエオカキクケコサシスセゾ", 15) == "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾ"
    assert zt.fit_name("漢字", 15) == ""
