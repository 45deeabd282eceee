"""The 全銀協 総合振込 file (data type 21): fixed-length records a bank takes for transfers.

Layout (全銀協制定ファイルフォーマット 【総合振込】; the same table is published by the banks that
take the file, e.g. 群馬銀行 「全銀協制定ファイルフォーマット【総合振込】」
(https://expydoc.com/doc/11700435/), 三菱UFJ銀行 Web21 「ファイルレイアウト 総合振込（全銀形式）」
(https://happylibus.com/doc/455113/), 中央信用金庫 「全銀協規定形式」
(https://www.chushin.co.jp/biz_web/Contents_bizsol/manual/bsl3002.html) and 宮崎銀行
「ファイルレイアウトについて」 (https://www.miyagin.co.jp/kfkdown-zengin-help)):

* Every record is 120 bytes of JIS X 0201 characters (コード区分 0: JIS, written here in
  CP932/Shift_JIS, where each of these characters is one byte), followed by CR LF (the banks
  take "120 bytes, no line break" or "120 bytes + CRLF"; CR or LF alone is refused).
* N fields hold digits, right-aligned and filled with 0; C fields hold half-width katakana,
  capital letters, digits and the few symbols of :mod:`madoguchi.jp.zengin`, left-aligned and
  filled with spaces.
* One header record (データ区分 1), one data record (2) per transfer, one trailer (8) with the
  count and total, one end record (9)::

    1 header   1 N1 データ区分 | 2 N2 種別コード 21 | 4 N1 コード区分 0 | 5 N10 委託者コード |
               15 C40 委託者名 | 55 N4 振込指定日 MMDD | 59 N4 仕向銀行番号 | 63 C15 仕向銀行名 |
               78 N3 仕向支店番号 | 81 C15 仕向支店名 | 96 N1 預金種目 (1 普通 2 当座 9 その他) |
               97 N7 口座番号 | 104 C17 ダミー
    2 data     1 N1 データ区分 | 2 N4 被仕向銀行番号 | 6 C15 被仕向銀行名 | 21 N3 被仕向支店番号 |
               24 C15 被仕向支店名 | 39 N4 手形交換所番号 (0000) | 43 N1 預金種目 (1 普通
               2 当座 4 貯蓄 9 その他) | 44 N7 口座番号 | 51 C30 受取人名 | 81 N10 振込金額 |
               91 N1 新規コード (0 その他 1 第1回 2 変更) | 92 N10 顧客コード1 | 102 N10 顧客コード2
               (or 92 C20 EDI情報 when 識別表示 is Y) | 112 N1 振込指定区分 (7 電信 8 文書) |
               113 C1 識別表示 (Y or space) | 114 C7 ダミー
    8 trailer  1 N1 データ区分 | 2 N6 合計件数 | 8 N12 合計金額 | 20 C101 ダミー
    9 end      1 N1 データ区分 | 2 C119 ダミー

The payment date must be a bank business day: not a Saturday or Sunday, not a national holiday
(祝日, 振替休日 and 国民の休日, by ``jpholiday``) and not 12/31–1/3 (the banks' 年末年始).

No Django here: the payments app builds :class:`Sender` and :class:`Transfer` values from its
records and writes the file with :func:`build_file`; :func:`parse_file` reads one back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import jpholiday

from .errors import JPValueError
from .zengin import ALLOWED, SOUND_MARKS, to_zengin_name

RECORD_LENGTH = 120
NEWLINE = b"\r\n"
ENCODING = "cp932"  # Shift_JIS as Windows writes it; JIS X 0201 characters are one byte each
KIND_CODE = "21"  # 総合振込
CODE_JIS = "0"
MAX_AMOUNT = 9_999_999_999  # N(10)
MAX_TOTAL = 999_999_999_999  # N(12)
MAX_COUNT = 999_999  # N(6)

# Account types of the bank_account field → 預金種目.
PAYEE_ACCOUNT_TYPES = {"ordinary": "1", "current": "2", "savings": "4", "other": "9"}
SENDER_ACCOUNT_TYPES = {"ordinary": "1", "current": "2", "other": "9"}
NEW_CODES = ("0", "1", "2")  # その他, 第1回振込分, 変更分
TRANSFER_KINDS = ("7", "8")  # 電信扱 (テレ振込), 文書扱

# (field, kind, length): N digits, C text. The data record's customer codes become one C(20)
# EDI field when its 識別表示 is "Y".
HEADER: tuple[tuple[str, str, int], ...] = (
    ("record_type", "N", 1), ("kind_code", "N", 2), ("code_type", "N", 1),
    ("sender_code", "N", 10), ("sender_name", "C", 40), ("payment_date", "N", 4),
    ("bank_code", "N", 4), ("bank_name", "C", 15), ("branch_code", "N", 3),
    ("branch_name", "C", 15), ("account_type", "N", 1), ("account_number", "N", 7),
    ("dummy", "C", 17),
)
_DATA_HEAD: tuple[tuple[str, str, int], ...] = (
    ("record_type", "N", 1), ("bank_code", "N", 4), ("bank_name", "C", 15),
    ("branch_code", "N", 3), ("branch_name", "C", 15), ("clearing_house", "N", 4),
    ("account_type", "N", 1), ("account_number", "N", 7), ("payee_name", "C", 30),
    ("amount", "N", 10), ("new_code", "N", 1),
)
_DATA_TAIL: tuple[tuple[str, str, int], ...] = (
    ("transfer_kind", "N", 1), ("edi_flag", "C", 1), ("dummy", "C", 7),
)
DATA = (*_DATA_HEAD, ("customer_code1", "N", 10), ("customer_code2", "N", 10), *_DATA_TAIL)
DATA_EDI = (*_DATA_HEAD, ("edi", "C", 20), *_DATA_TAIL)
TRAILER: tuple[tuple[str, str, int], ...] = (
    ("record_type", "N", 1), ("count", "N", 6), ("total", "N", 12), ("dummy", "C", 101),
)
END: tuple[tuple[str, str, int], ...] = (("record_type", "N", 1), ("dummy", "C", 119))
EDI_FLAG_OFFSET = 112  # 0-based position of 識別表示 in a data record

MSG_FIELD_DIGITS = "全銀ファイルの「%(field)s」は%(length)d桁以内の数字にしてください（%(value)s）"
MSG_FIELD_TEXT = "全銀ファイルの「%(field)s」に使えない文字「%(char)s」があります"
MSG_FIELD_LENGTH = (
    "全銀ファイルの「%(field)s」は半角%(length)d文字以内です（%(count)d文字あります）"
)
MSG_FIELD_CHOICE = "全銀ファイルの「%(field)s」の値「%(value)s」は使えません"
MSG_AMOUNT = "振込金額は1円以上%(max)s円以下にしてください（%(value)s）"
MSG_TOTAL = "合計金額が全銀ファイルに書ける%(max)s円を超えます"
MSG_COUNT = "1つの全銀ファイルに書ける振込は%(max)s件までです"
MSG_EMPTY = "振込がありません。全銀ファイルには1件以上の振込が必要です"
MSG_NOT_BUSINESS_DAY = (
    "%(date)sは銀行の休業日です（土日・祝日・振替休日・12月31日〜1月3日）。営業日を選んでください"
)
MSG_PARSE = "全銀ファイルとして読めません: %(reason)s"

# What each field is called in a message (the published layout's names).
FIELD_NAMES = {
    "sender_code": "委託者コード", "sender_name": "委託者名", "payment_date": "振込指定日",
    "bank_code": "銀行番号", "bank_name": "銀行名", "branch_code": "支店番号",
    "branch_name": "支店名", "account_type": "預金種目", "account_number": "口座番号",
    "clearing_house": "手形交換所番号", "payee_name": "受取人名", "amount": "振込金額",
    "new_code": "新規コード", "customer_code1": "顧客コード1", "customer_code2": "顧客コード2",
    "edi": "EDI情報", "transfer_kind": "振込指定区分", "edi_flag": "識別表示",
    "count": "合計件数", "total": "合計金額", "dummy": "ダミー", "record_type": "データ区分",
    "kind_code": "種別コード", "code_type": "コード区分",
}


@dataclass(frozen=True)
class Sender:
    """The city's own account (振込依頼人): 委託者コード from the bank, name in transfer kana."""

    code: str
    name: str
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str  # "ordinary" | "current" | "other"
    account_number: str


@dataclass(frozen=True)
class Transfer:
    """One payee and amount. ``payee_name`` is already in Zengin characters (the
    bank_account field stores it so); customer codes are digits, or ``edi`` text instead."""

    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str  # "ordinary" | "current" | "savings" | "other"
    account_number: str
    payee_name: str
    amount: int
    new_code: str = "0"
    customer_code1: str = ""
    customer_code2: str = ""
    edi: str = ""
    transfer_kind: str = "7"


@dataclass
class ParsedFile:
    """A file read back: every field of every record, as text (N fields keep their zeros)."""

    header: dict[str, str]
    data: list[dict[str, str]] = field(default_factory=list)
    trailer: dict[str, str] = field(default_factory=dict)
    end: dict[str, str] = field(default_factory=dict)


def is_bank_business_day(day: dt.date) -> bool:
    """Whether banks transfer on ``day``: a weekday, no national holiday, not 12/31–1/3."""
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    return not ((day.month == 12 and day.day == 31) or (day.month == 1 and day.day <= 3))


def check_business_day(day: dt.date) -> None:
    """Raise JPValueError when ``day`` is no bank business day."""
    if not is_bank_business_day(day):
        raise JPValueError(MSG_NOT_BUSINESS_DAY, "zengin_holiday",
                           {"date": f"{day.year}年{day.month}月{day.day}日"})


def next_business_day(day: dt.date) -> dt.date:
    """``day`` itself when banks are open, else the first business day after it."""
    while not is_bank_business_day(day):
        day += dt.timedelta(days=1)
    return day


def fit_name(kana: str, length: int) -> str:
    """A bank's or branch's kana name in transfer characters, cut to ``length`` characters
    (never between a kana and its sound mark). Empty when the name cannot be written."""
    try:
        name = to_zengin_name(kana)
    except JPValueError:
        return ""
    if len(name) > length:
        cut = name[:length]
        name = cut[:-1] if name[length] in SOUND_MARKS else cut
    return name.rstrip()


def _digits(name: str, value: object, length: int) -> str:
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > length:
        raise JPValueError(MSG_FIELD_DIGITS, "zengin_digits",
                           {"field": FIELD_NAMES[name], "length": length, "value": text[:20]})
    return text.zfill(length)


def _text(name: str, value: str, length: int) -> str:
    for char in value:
        if char not in ALLOWED:
            raise JPValueError(MSG_FIELD_TEXT, "zengin_text",
                               {"field": FIELD_NAMES[name], "char": char})
    if len(value) > length:
        raise JPValueError(MSG_FIELD_LENGTH, "zengin_length",
                           {"field": FIELD_NAMES[name], "length": length, "count": len(value)})
    return value.ljust(length)


def _choice(name: str, value: str, allowed: dict[str, str] | Sequence[str]) -> str:
    if value not in allowed:
        raise JPValueError(MSG_FIELD_CHOICE, "zengin_choice",
                           {"field": FIELD_NAMES[name], "value": str(value)[:20]})
    return allowed[value] if isinstance(allowed, dict) else value


def _record(layout: tuple[tuple[str, str, int], ...], values: dict[str, object]) -> bytes:
    parts = []
    for name, kind, length in layout:
        value = values.get(name, "")
        if kind == "N":
            parts.append(_digits(name, value if value != "" else "0", length))
        else:
            parts.append(_text(name, str(value), length))
    line = "".join(parts).encode(ENCODING)
    assert len(line) == RECORD_LENGTH, (layout[0], len(line))
    return line + NEWLINE


def header_record(sender: Sender, payment_date: dt.date) -> bytes:
    """The header (データ区分 1) for ``sender`` paying on ``payment_date``."""
    check_business_day(payment_date)
    return _record(HEADER, {
        "record_type": "1", "kind_code": KIND_CODE, "code_type": CODE_JIS,
        "sender_code": sender.code, "sender_name": sender.name,
        "payment_date": f"{payment_date:%m%d}", "bank_code": sender.bank_code,
        "bank_name": sender.bank_name, "branch_code": sender.branch_code,
        "branch_name": sender.branch_name,
        "account_type": _choice("account_type", sender.account_type, SENDER_ACCOUNT_TYPES),
        "account_number": sender.account_number, "dummy": "",
    })


def data_record(transfer: Transfer) -> bytes:
    """A data record (データ区分 2) for one transfer."""
    if isinstance(transfer.amount, bool) or not 1 <= transfer.amount <= MAX_AMOUNT:
        raise JPValueError(MSG_AMOUNT, "zengin_amount",
                           {"max": f"{MAX_AMOUNT:,}", "value": str(transfer.amount)[:20]})
    if not transfer.payee_name.strip():
        raise JPValueError(MSG_FIELD_LENGTH, "zengin_length",
                           {"field": FIELD_NAMES["payee_name"], "length": 30, "count": 0})
    values: dict[str, object] = {
        "record_type": "2", "bank_code": transfer.bank_code, "bank_name": transfer.bank_name,
        "branch_code": transfer.branch_code, "branch_name": transfer.branch_name,
        "clearing_house": "0",
        "account_type": _choice("account_type", transfer.account_type, PAYEE_ACCOUNT_TYPES),
        "account_number": transfer.account_number, "payee_name": transfer.payee_name,
        "amount": transfer.amount, "new_code": _choice("new_code", transfer.new_code, NEW_CODES),
        "transfer_kind": _choice("transfer_kind", transfer.transfer_kind, TRANSFER_KINDS),
        "dummy": "",
    }
    if transfer.edi:
        values.update(edi=transfer.edi, edi_flag="Y")
        return _record(DATA_EDI, values)
    values.update(customer_code1=transfer.customer_code1 or "0",
                  customer_code2=transfer.customer_code2 or "0", edi_flag=" ")
    return _record(DATA, values)


def build_file(sender: Sender, payment_date: dt.date, transfers: Iterable[Transfer]) -> bytes:
    """The whole file: header, one data record per transfer, trailer and end record.

    Raises JPValueError (with a Japanese message naming the field) for a holiday, a value that
    does not fit its field, a character outside the 全銀 set, or no transfer at all.
    """
    lines = [header_record(sender, payment_date)]
    count = total = 0
    for transfer in transfers:
        lines.append(data_record(transfer))
        count += 1
        total += transfer.amount
    if count == 0:
        raise JPValueError(MSG_EMPTY, "zengin_empty_file")
    if count > MAX_COUNT:
        raise JPValueError(MSG_COUNT, "zengin_count", {"max": f"{MAX_COUNT:,}"})
    if total > MAX_TOTAL:
        raise JPValueError(MSG_TOTAL, "zengin_total", {"max": f"{MAX_TOTAL:,}"})
    lines.append(_record(TRAILER, {"record_type": "8", "count": count, "total": total,
                                   "dummy": ""}))
    lines.append(_record(END, {"record_type": "9", "dummy": ""}))
    return b"".join(lines)


# --- reading -------------------------------------------------------------------------------------
def _parse_error(reason: str) -> JPValueError:
    return JPValueError(MSG_PARSE, "zengin_parse", {"reason": reason})


def _fields(layout: tuple[tuple[str, str, int], ...], line: bytes, number: int
            ) -> dict[str, str]:
    try:
        text = line.decode(ENCODING)
    except UnicodeDecodeError as exc:
        raise _parse_error(f"{number}行目が{ENCODING}で読めません") from exc
    if len(text) != RECORD_LENGTH:
        raise _parse_error(f"{number}行目に半角以外の文字があります")
    out: dict[str, str] = {}
    at = 0
    for name, kind, length in layout:
        value = text[at:at + length]
        at += length
        if kind == "N" and not (value.isascii() and value.isdigit()):
            raise _parse_error(f"{number}行目の{FIELD_NAMES[name]}が数字ではありません")
        if kind == "C" and any(ch not in ALLOWED for ch in value):
            raise _parse_error(f"{number}行目の{FIELD_NAMES[name]}に使えない文字があります")
        out[name] = value if kind == "N" else value.rstrip(" ")
    return out


def split_records(content: bytes) -> list[bytes]:
    """The 120-byte records of a file whose records each end with CR LF."""
    if not content.endswith(NEWLINE):
        raise _parse_error("最後のレコードがCRLFで終わっていません")
    records = content[: -len(NEWLINE)].split(NEWLINE)
    for number, record in enumerate(records, start=1):
        if len(record) != RECORD_LENGTH:
            raise _parse_error(f"{number}行目が{len(record)}バイトです（120バイトのはず）")
    return records


def parse_file(content: bytes) -> ParsedFile:
    """Read a 総合振込 file back field by field; the trailer must match the data records.

    Raises JPValueError when a record has the wrong length, type or order, a field holds what
    its kind does not allow, or the trailer's count or total differs from the data.
    """
    records = split_records(content)
    if len(records) < 3:
        raise _parse_error("ヘッダー・トレーラー・エンドの各レコードが必要です")
    kinds = "".join(chr(r[0]) for r in records)
    if not (kinds[0] == "1" and kinds[-2:] == "89" and set(kinds[1:-2]) <= {"2"}):
        raise _parse_error(f"レコードの順序が正しくありません（{kinds[:20]}）")
    parsed = ParsedFile(header=_fields(HEADER, records[0], 1))
    for number, record in enumerate(records[1:-2], start=2):
        layout = DATA_EDI if chr(record[EDI_FLAG_OFFSET]) == "Y" else DATA
        parsed.data.append(_fields(layout, record, number))
    parsed.trailer = _fields(TRAILER, records[-2], len(records) - 1)
    parsed.end = _fields(END, records[-1], len(records))
    if parsed.header["kind_code"] != KIND_CODE:
        raise _parse_error("種別コードが21（総合振込）ではありません")
    if int(parsed.trailer["count"]) != len(parsed.data):
        raise _parse_error("トレーラーの合計件数がデータレコードの数と合いません")
    if int(parsed.trailer["total"]) != sum(int(d["amount"]) for d in parsed.data):
        raise _parse_error("トレーラーの合計金額がデータレコードの合計と合いません")
    return parsed
