"""Hypothesis strategies for the field-type registry: valid specs and valid input for every type.

For each registered type, :data:`TYPE_STRATEGIES` holds

* ``specs(key)``: specs of that type that the definition checker accepts, as a builder or an
  imported template would write them (bilingual labels, realistic options);
* ``inputs(spec)``: ``(Posted, expected)`` pairs: what a resident's browser sends for that field
  (``Posted.data`` by input name, ``Posted.files`` for uploads) and the clean value
  ``validate(raw_from_post(...))`` must give, or ``None`` where it cannot be predicted (the
  stored name of an upload) or the type holds no value (guidance). Inputs are never empty.

The input is what residents really type: furigana in hiragana or half-width kana, 和暦 dates,
full-width digits and hyphens, postal codes that exist in Japan Post's offline data, My Numbers
with a correct check digit, banks and branches of the offline Zengin list, small PNG / JPEG /
PDF files. Expected values are written out here, independently of the code under test.

:func:`definitions` draws whole random definitions (pages, fields, conditions) with a plan of
their fields; :func:`post_names` and :data:`hostile_values` feed the fuzz tests.
"""

from __future__ import annotations

import binascii
import datetime as dt
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import phonenumbers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import assume
from hypothesis import strategies as st
from zengin_code import Bank

from madoguchi.forms.fields import MAX_YEARS_AHEAD

__all__ = [
    "TYPE_STRATEGIES", "FieldPlan", "Posted", "TypeStrategy", "definitions", "field_input",
    "field_spec", "hostile_scalars", "hostile_values", "my_number", "post_names", "querydicts",
    "spec_and_input",
]


class Posted(NamedTuple):
    """What the browser sends for one field: form values and uploaded files, by input name."""

    data: dict[str, str | list[str]]
    files: dict[str, list[SimpleUploadedFile]]


@dataclass(frozen=True)
class TypeStrategy:
    specs: Callable[[str], st.SearchStrategy[dict[str, Any]]]
    inputs: Callable[[dict[str, Any]], st.SearchStrategy[tuple[Posted, Any]]]


def querydicts(posted: Posted) -> tuple[MultiValueDict, MultiValueDict]:
    """``posted`` as request.POST and request.FILES would hold it."""
    data = MultiValueDict({k: list(v) if isinstance(v, list) else [v]
                           for k, v in posted.data.items()})
    return data, MultiValueDict({k: list(v) for k, v in posted.files.items()})


def merge(*posts: Posted) -> Posted:
    data: dict[str, Any] = {}
    files: dict[str, list[SimpleUploadedFile]] = {}
    for posted in posts:
        data.update(posted.data)
        files.update(posted.files)
    return Posted(data, files)


# --- text helpers -------------------------------------------------------------------------------
def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms (space as U+3000)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c
                   for c in text)


def kata_to_hira(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _half_width_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in range(0xFF61, 0xFFA0):
        half = chr(code)
        full = unicodedata.normalize("NFKC", half)
        if len(full) == 1:
            table.setdefault(full, half)
    return table


_HALF = _half_width_table()
_HALF_MARKS = {"\u3099": "ﾞ", "\u309a": "ﾟ"}


def kata_to_half(text: str) -> str:
    """Full-width katakana as half-width kana (ガ → ｶﾞ), as old systems and some IMEs type it."""
    out = []
    for char in text:
        if char in _HALF:
            out.append(_HALF[char])
            continue
        decomposed = unicodedata.normalize("NFD", char)
        if len(decomposed) == 2 and decomposed[0] in _HALF and decomposed[1] in _HALF_MARKS:
            out.append(_HALF[decomposed[0]] + _HALF_MARKS[decomposed[1]])
        else:
            out.append(char)
    return "".join(out)


_ZENGIN_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶヰヱ", "アイウエオツヤユヨワカケイエ")


def zengin(text: str) -> str:
    """A katakana reading as a Zengin transfer name: small kana written large, half-width."""
    return kata_to_half(text.translate(_ZENGIN_LARGE))


# Family and given names with their readings: 異体字 and characters outside the BMP included.
FAMILY_NAMES = [
    ("髙﨑", "タカサキ"), ("𠮷田", "ヨシダ"), ("佐藤", "サトウ"), ("渡邊", "ワタナベ"),
    ("斎藤", "サイトウ"), ("山﨑", "ヤマザキ"), ("中村", "ナカムラ"), ("長谷川", "ハセガワ"),
    ("小林", "コバヤシ"), ("伊藤", "イトウ"), ("東海林", "ショウジ"), ("緑川", "ミドリカワ"),
]
GIVEN_NAMES = [
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("恭子", "キョウコ"),
    ("翔", "ショウ"), ("由美", "ユミ"), ("𠮷男", "ヨシオ"), ("陽菜", "ヒナ"),
    ("蓮", "レン"), ("結衣", "ユイ"), ("ジョン", "ジョン"), ("琴音", "コトネ"),
]


def reading_as_typed(reading: str) -> st.SearchStrategy[str]:
    """A katakana reading as a resident types it: katakana, hiragana or half-width kana."""
    return st.sampled_from([reading, kata_to_hira(reading), kata_to_half(reading)])


def spaced(text: str) -> st.SearchStrategy[str]:
    """``text`` with the stray spaces (either width) residents leave around it."""
    pad = st.sampled_from(["", " ", "\u3000", "  "])
    return st.tuples(pad, pad).map(lambda p: p[0] + text + p[1])


LABELS = {
    "text": ({"ja": "学校名", "en": "School"}, {"ja": "ご意見", "en": "Comments"},
             {"ja": "受給者番号", "en": "Recipient number"}),
    "email": ({"ja": "メールアドレス", "en": "E-mail address"},),
    "phone": ({"ja": "電話番号", "en": "Phone number"},
              {"ja": "日中の連絡先", "en": "Daytime phone"}),
    "postal_code": ({"ja": "郵便番号", "en": "Postal code"},),
    "number": ({"ja": "定期代（1か月）", "en": "Monthly pass"},
               {"ja": "世帯の人数", "en": "Household"}),
    "date": ({"ja": "生年月日", "en": "Date of birth"}, {"ja": "転入日", "en": "Moving-in date"}),
    "choice": ({"ja": "地区", "en": "District"}, {"ja": "続柄", "en": "Relationship"}),
    "consent": ({"ja": "同意事項", "en": "Consent"},),
    "kana": ({"ja": "フリガナ", "en": "Furigana"},),
    "name": ({"ja": "申請者の氏名", "en": "Applicant"}, {"ja": "児童の氏名", "en": "Child"}),
    "guidance": ({"ja": "ご案内", "en": "Guidance"},),
    "address": ({"ja": "住所", "en": "Address"},),
    "my_number": ({"ja": "個人番号", "en": "My Number"},),
    "bank_account": ({"ja": "振込先口座", "en": "Bank account"},),
    "file": ({"ja": "通学定期券の写し", "en": "Copy of the pass"},),
    "group": ({"ja": "児童", "en": "Children"}, {"ja": "世帯員", "en": "Household members"}),
    "reservation": ({"ja": "予約する検診と日時", "en": "Screening and time to book"},),
}


def base_spec(key: str, type_name: str, *, required: bool | None = None) -> st.SearchStrategy:
    """key, type, a bilingual label, maybe a hint and required (``None``: either)."""
    return st.fixed_dictionaries(
        {"key": st.just(key), "type": st.just(type_name),
         "label": st.sampled_from(LABELS[type_name]),
         "required": st.just(required) if required is not None else st.booleans()},
        optional={"hint": st.sampled_from([{"ja": "分かる範囲で入力してください。",
                                            "en": "Enter what you know."}])},
    )


def with_options(key: str, type_name: str, options: dict[str, st.SearchStrategy],
                 required: bool | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """The base spec plus each option of ``options`` or not (a ``None`` draw leaves it out)."""
    return st.tuples(base_spec(key, type_name, required=required),
                     st.fixed_dictionaries({k: st.none() | s for k, s in options.items()})).map(
        lambda pair: {**pair[0], **{k: v for k, v in pair[1].items() if v is not None}}
    )


# --- text ---------------------------------------------------------------------------------------
# Patterns a form may ask for, each with how to type a matching value (before to_ascii).
PATTERNS: dict[str, st.SearchStrategy[str]] = {
    r"[0-9]{7}": st.text("0123456789", min_size=7, max_size=7),
    r"[A-Z]{2}[0-9]{6}": st.tuples(st.text("ABCDEFGHJKLMNPRSTUVWXYZ", min_size=2, max_size=2),
                                   st.text("0123456789", min_size=6, max_size=6)).map("".join),
    r"\d{4}-\d{4}": st.tuples(st.text("0123456789", min_size=4, max_size=4),
                              st.text("0123456789", min_size=4, max_size=4)).map("-".join),
}


@st.composite
def text_specs(draw: st.DrawFn, key: str) -> dict[str, Any]:
    spec = draw(base_spec(key, "text"))
    if draw(st.booleans()):
        spec["multiline"] = True
    pattern = draw(st.none() | st.sampled_from(sorted(PATTERNS)))
    if pattern:
        spec["pattern"] = pattern
        if draw(st.booleans()):
            spec["pattern_message"] = {"ja": "数字7桁で入力してください。",
                                       "en": "Enter the number as it is on the card."}
    low = draw(st.none() | st.integers(0, 5))
    high = draw(st.none() | st.integers(max(low or 0, 10), 400))
    if low is not None:
        spec["min_length"] = low
    if high is not None:
        spec["max_length"] = high
    if draw(st.integers(0, 4)) == 0:
        spec["sensitive"] = True
    return spec


WORD_CHARS = st.sampled_from(
    list("あいうえおかきくけこさしすせそたちつてとなにぬねのまみむめもやゆよらりるれろわをん")
    + list("アイウエオカキクケコサシスセソタチツテトガギグゲゴパピプペポャュョッー")
    + list("緑丘市北山南野駅前高等学校小中通学費補助申請住所氏名電話番号髙﨑𠮷〜・、。（）「」")
    + list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789０１２３４５６７８９")
    + list("-_.,()/")
)
words = st.lists(st.text(WORD_CHARS, min_size=1, max_size=8), min_size=1, max_size=5)


@st.composite
def text_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    if spec.get("pattern"):
        value = draw(PATTERNS[spec["pattern"]])
        typed = draw(st.sampled_from([value, full_width(value)]))
        return Posted({spec["key"]: draw(spaced(typed))}, {}), value
    low = max(spec.get("min_length", 0), 1)
    high = min(spec.get("max_length", 1000 if spec.get("multiline") else 100), 60)
    space = st.sampled_from([" ", "\u3000"])
    line_count = draw(st.integers(1, 4)) if spec.get("multiline") else 1
    lines = [draw(space).join(draw(words)) for _ in range(line_count)]
    value = "\n".join(lines)
    if len(value) < low:
        value += "緑" * (low - len(value))
    value = value[:high].strip()
    typed = value.replace("\n", draw(st.sampled_from(["\n", "\r\n"])))
    return Posted({spec["key"]: draw(spaced(typed))}, {}), value


# --- e-mail, phone, postal code, number -------------------------------------------------------
EMAIL_LOCALS = ["taro", "taro.yamada", "hanako_1990", "info", "midori-2026", "k.tanaka+forms"]
EMAIL_DOMAINS = ["example.jp", "city.midorigaoka.lg.jp", "mail.example.co.jp", "example.com"]


def email_specs(key: str) -> st.SearchStrategy[dict[str, Any]]:
    return with_options(key, "email", {"confirm": st.booleans(),
                                       "autocomplete": st.just("email")})


@st.composite
def email_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    address = f"{draw(st.sampled_from(EMAIL_LOCALS))}@{draw(st.sampled_from(EMAIL_DOMAINS))}"
    typed = draw(st.sampled_from([address, full_width(address)]))
    data: dict[str, Any] = {spec["key"]: draw(spaced(typed))}
    if spec.get("confirm"):
        again = draw(st.sampled_from([address, address.upper(), full_width(address)]))
        data[f"{spec['key']}-confirm"] = draw(spaced(again))
    return Posted(data, {}), address


@st.composite
def phone_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    kind = draw(st.sampled_from(["mobile", "tokyo", "fixed", "free"]))
    digits8 = draw(st.text("0123456789", min_size=8, max_size=8))
    if kind == "mobile":
        prefix = draw(st.sampled_from(["090", "080", "070", "050"]))
        number = prefix + digits8
        shapes = [number, f"{prefix}-{digits8[:4]}-{digits8[4:]}",
                  f"+81 {prefix[1:]}-{digits8[:4]}-{digits8[4:]}",
                  f"+81(0){prefix[1:]}-{digits8[:4]}-{digits8[4:]}"]
    elif kind == "tokyo":
        number = "03" + digits8
        shapes = [number, f"03-{digits8[:4]}-{digits8[4:]}", f"03({digits8[:4]}){digits8[4:]}"]
    elif kind == "fixed":
        area = draw(st.sampled_from(["011", "022", "045", "052", "092", "0235", "0467", "01267"]))
        rest = draw(st.text("0123456789", min_size=10 - len(area), max_size=10 - len(area)))
        number = area + rest
        shapes = [number, f"{area}-{rest[:-4]}-{rest[-4:]}", f"{area} {rest[:-4]} {rest[-4:]}"]
    else:
        rest = digits8[:6]
        number = "0120" + rest
        shapes = [number, f"0120-{rest[:3]}-{rest[3:]}"]
    # Random digits are not all in use: keep the numbers the numbering plan knows.
    assume(phonenumbers.is_valid_number(phonenumbers.parse(number, "JP")))
    typed = draw(st.sampled_from(shapes))
    typed = draw(st.sampled_from([typed, full_width(typed)]))
    return Posted({spec["key"]: draw(spaced(typed))}, {}), number


# Postal codes in Japan Post's data (checked against the offline look-up by the tests), with the
# place the look-up gives: (code, prefecture, city, [towns]).
POSTAL_PLACES = [
    ("1000001", "東京都", "千代田区", ["千代田"]),
    ("9970035", "山形県", "鶴岡市", ["馬場町"]),
    ("0680546", "北海道", "夕張市", ["南部青葉町", "南部菊水町"]),
    ("5300001", "大阪府", "大阪市北区", ["梅田"]),
    ("6008216", "京都府", "京都市下京区", ["東塩小路町"]),
    ("9000001", "沖縄県", "那覇市", ["港町"]),
    ("0600001", "北海道", "札幌市中央区", ["北一条西"]),
    ("1500002", "東京都", "渋谷区", ["渋谷"]),
    ("2310023", "神奈川県", "横浜市中区", ["山下町"]),
    ("4600008", "愛知県", "名古屋市中区", ["栄"]),
]


def postal_as_typed(code: str) -> st.SearchStrategy[str]:
    hyphenated = f"{code[:3]}-{code[3:]}"
    return st.sampled_from([code, hyphenated, f"〒{hyphenated}", f"〒 {code[:3]} {code[3:]}",
                            full_width(hyphenated), "〒" + full_width(hyphenated),
                            f"{code[:3]}－{code[3:]}", f"{code[:3]}ー{code[3:]}"])


@st.composite
def postal_code_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    code = draw(st.sampled_from(POSTAL_PLACES))[0]
    return Posted({spec["key"]: draw(spaced(draw(postal_as_typed(code))))}, {}), code


NUMBER_RANGES = [(None, None), (0, None), (1, 100), (0, 1_000_000), (-100, 100), (None, 50_000),
                 (1, 1)]


@st.composite
def number_specs(draw: st.DrawFn, key: str) -> dict[str, Any]:
    spec = draw(base_spec(key, "number"))
    low, high = draw(st.sampled_from(NUMBER_RANGES))
    if low is not None:
        spec["min"] = low
    if high is not None:
        spec["max"] = high
    if draw(st.booleans()):
        spec["unit"] = draw(st.sampled_from([{"ja": "円", "en": " yen"}, {"ja": "人", "en": ""}]))
    return spec


@st.composite
def number_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    low = spec.get("min", -10**6)
    high = spec.get("max", 10**9)
    number = draw(st.integers(low, high))
    plain = str(number)
    commas = f"{number:,}"
    typed = draw(st.sampled_from([plain, commas, commas + "円", full_width(commas),
                                  full_width(plain) + "円"]))
    return Posted({spec["key"]: draw(spaced(typed))}, {}), number


# --- dates --------------------------------------------------------------------------------------
ERAS = [("令和", "R", dt.date(2019, 5, 1)), ("平成", "H", dt.date(1989, 1, 8)),
        ("昭和", "S", dt.date(1926, 12, 25)), ("大正", "T", dt.date(1912, 7, 30)),
        ("明治", "M", dt.date(1868, 1, 25))]
SQUARED_ERAS = {"令和": "㋿", "平成": "㍻", "昭和": "㍼", "大正": "㍽", "明治": "㍾"}
MEIJI = dt.date(1868, 1, 25)
EDGE_DATES = [MEIJI, dt.date(1912, 7, 29), dt.date(1912, 7, 30), dt.date(1926, 12, 24),
              dt.date(1926, 12, 25), dt.date(1989, 1, 7), dt.date(1989, 1, 8),
              dt.date(2019, 4, 30), dt.date(2019, 5, 1), dt.date(2000, 2, 29),
              dt.date(2024, 2, 29), dt.date(2026, 12, 31)]
# The latest date a date field accepts (later years are typos such as 3026 for 2026).
LATEST = dt.date(timezone.localdate().year + MAX_YEARS_AHEAD, 12, 31)
MIN_BOUNDS = ["1900-01-01", "2000-04-01", "today", "-120y", "-18y", "-6m", "-30d"]
MAX_BOUNDS = ["today", "+30d", "+1y", "2030-03-31", "2100-12-31", "-1d"]


def _months_from(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def bound_date(bound: str, today: dt.date) -> dt.date:
    """What a bound of :data:`MIN_BOUNDS` / :data:`MAX_BOUNDS` means today."""
    if bound == "today":
        return today
    if bound[0] in "+-":
        amount = int(bound[1:-1]) * (-1 if bound[0] == "-" else 1)
        unit = bound[-1]
        if unit == "d":
            return today + dt.timedelta(days=amount)
        return _months_from(today, amount * (12 if unit == "y" else 1))
    return dt.date.fromisoformat(bound)


@st.composite
def date_specs(draw: st.DrawFn, key: str) -> dict[str, Any]:
    today = timezone.localdate()
    spec = draw(base_spec(key, "date"))
    past_only = draw(st.booleans())
    low = draw(st.none() | st.sampled_from(MIN_BOUNDS))
    highs = [b for b in MAX_BOUNDS
             if low is None or bound_date(b, today) >= bound_date(low, today)]
    high = draw(st.none() | st.sampled_from(highs))
    if past_only:
        spec["past_only"] = True
    if low is not None:
        spec["min"] = low
    if high is not None:
        spec["max"] = high
    return spec


def wareki_parts(day: dt.date) -> tuple[str, str, int]:
    """(era name, era letter, era year) for a date from 明治 on."""
    for name, letter, start in ERAS:
        if day >= start:
            return name, letter, day.year - start.year + 1
    raise ValueError("before 明治")


@st.composite
def date_as_typed(draw: st.DrawFn, day: dt.date) -> str:
    y, m, d = day.year, day.month, day.day
    shapes = [day.isoformat(), f"{y}/{m}/{d}", f"{y}.{m:02}.{d:02}", f"{y}年{m}月{d}日",
              f"{y:04}{m:02}{d:02}"]
    era, letter, year = wareki_parts(day)
    if year <= 999:  # the era year is typed with up to three digits
        year_text = "元" if year == 1 else str(year)
        shapes += [f"{era}{year_text}年{m}月{d}日", f"{letter}{year}.{m}.{d}",
                   f"{letter.lower()}{year:02}/{m:02}/{d:02}",
                   f"{era}{year_text}年（{y}年）{m}月{d}日",
                   f"{SQUARED_ERAS[era]}{year_text}年{m}月{d}日"]
    typed = draw(st.sampled_from(shapes))
    return draw(st.sampled_from([typed, full_width(typed)]))


@st.composite
def date_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    today = timezone.localdate()
    low = max(bound_date(spec["min"], today), MEIJI) if "min" in spec else MEIJI
    high = min(bound_date(spec["max"], today) if "max" in spec else LATEST, LATEST)
    if spec.get("past_only"):
        high = min(high, today)
    # Mostly the dates of a life (birth dates, moving days); sometimes a date at an edge (an
    # era's first or last day, 29 February, a typo far in the future) or anything allowed.
    edges = [day for day in EDGE_DATES if low <= day <= high]
    usual_low, usual_high = max(low, dt.date(1920, 1, 1)), min(high, dt.date(2100, 12, 31))
    kind = draw(st.integers(0, 9))
    if edges and kind < 3:
        day = draw(st.sampled_from(edges))
    elif usual_low <= usual_high and kind > 3:
        day = draw(st.dates(min_value=usual_low, max_value=usual_high))
    else:
        day = draw(st.dates(min_value=low, max_value=high))
    return Posted({spec["key"]: draw(spaced(draw(date_as_typed(day))))}, {}), day.isoformat()


# --- choices and consent ------------------------------------------------------------------------
OPTION_POOL = [("kitayama", {"ja": "北山", "en": "Kitayama"}),
               ("minamino", {"ja": "南野", "en": "Minamino"}),
               ("ekimae", {"ja": "駅前", "en": "Ekimae"}),
               ("father", {"ja": "父", "en": "Father"}), ("mother", {"ja": "母", "en": "Mother"}),
               ("other", {"ja": "その他", "en": "Other"}), ("yes", {"ja": "はい", "en": "Yes"}),
               ("no", {"ja": "いいえ", "en": "No"}), (1, {"ja": "1年", "en": "Year 1"}),
               (2, {"ja": "2年", "en": "Year 2"}), ("3", {"ja": "3年", "en": "Year 3"}),
               ("bus", {"ja": "バス", "en": "Bus"}), ("train_jr", {"ja": "JR線", "en": "JR"})]


@st.composite
def choice_specs(draw: st.DrawFn, key: str, widgets: tuple[str | None, ...] = (
        None, "radio", "select", "checkboxes")) -> dict[str, Any]:
    spec = draw(base_spec(key, "choice"))
    picked = draw(st.lists(st.sampled_from(OPTION_POOL), min_size=1, max_size=6,
                           unique_by=lambda o: str(o[0])))
    spec["options"] = [{"value": value, "label": label} for value, label in picked]
    widget = draw(st.sampled_from(widgets))
    if widget is not None:
        spec["widget"] = widget
    if widget == "checkboxes":
        count = len(picked)
        low = draw(st.none() | st.integers(0, count))
        high = draw(st.none() | st.integers(max(low or 0, 1), count))
        if low is not None:
            spec["min_choices"] = low
        if high is not None:
            spec["max_choices"] = high
    return spec


@st.composite
def choice_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    values = [str(o["value"]) for o in spec["options"]]
    if spec.get("widget") != "checkboxes":
        value = draw(st.sampled_from(values))
        return Posted({spec["key"]: value}, {}), value
    low = max(spec.get("min_choices", 0), 1)
    high = spec.get("max_choices", len(values))
    chosen = draw(st.lists(st.sampled_from(values), min_size=low, max_size=high, unique=True))
    return Posted({spec["key"]: chosen}, {}), [v for v in values if v in chosen]


def consent_specs(key: str) -> st.SearchStrategy[dict[str, Any]]:
    return with_options(key, "consent", {"required_message": st.just(
        {"ja": "同意いただけない場合は申請できません。", "en": "You must agree to apply."})})


def consent_inputs(spec: dict[str, Any]) -> st.SearchStrategy[tuple[Posted, Any]]:
    return st.just((Posted({spec["key"]: "yes"}, {}), True))


# --- kana and names ---------------------------------------------------------------------------
@st.composite
def kana_specs(draw: st.DrawFn, key: str) -> dict[str, Any]:
    spec = draw(base_spec(key, "kana"))
    high = draw(st.none() | st.integers(12, 50))
    if high is not None:
        spec["max_length"] = high
    return spec


@st.composite
def kana_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    family = draw(st.sampled_from(FAMILY_NAMES))[1]
    given = draw(st.sampled_from(GIVEN_NAMES))[1]
    words = draw(st.sampled_from([[family], [family, given]]))
    typed = draw(st.sampled_from([" ", "\u3000", "  "])).join(
        [draw(reading_as_typed(w)) for w in words])
    return Posted({spec["key"]: draw(spaced(typed))}, {}), "\u3000".join(words)


def name_specs(key: str) -> st.SearchStrategy[dict[str, Any]]:
    return with_options(key, "name", {"kana": st.booleans()})


@st.composite
def name_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    family, family_kana = draw(st.sampled_from(FAMILY_NAMES))
    given, given_kana = draw(st.sampled_from(GIVEN_NAMES))
    key = spec["key"]
    data = {f"{key}-family": draw(spaced(family)), f"{key}-given": draw(spaced(given))}
    value = {"family": family, "given": given}
    if spec.get("kana"):
        data[f"{key}-family_kana"] = draw(spaced(draw(reading_as_typed(family_kana))))
        data[f"{key}-given_kana"] = draw(spaced(draw(reading_as_typed(given_kana))))
        value.update(family_kana=family_kana, given_kana=given_kana)
    return Posted(data, {}), value


def guidance_specs(key: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "key": st.just(key), "type": st.just("guidance"),
        "text": st.sampled_from([{"ja": "次のページで口座を入力します。",
                                  "en": "On the next page, enter the account."},
                                 {"ja": "申請には5分ほどかかります。",
                                  "en": "This takes 5 minutes."}]),
    })


def guidance_inputs(spec: dict[str, Any]) -> st.SearchStrategy[tuple[Posted, Any]]:
    return st.just((Posted({}, {}), None))


# --- address ----------------------------------------------------------------------------------
STREETS = ["1丁目2番3号", "１２３４番地５", "北山1-2-3", "2-14-7", "字上野123番地"]
BUILDINGS = ["", "緑ヶ丘マンション101号室", "グランドハイツ 2F", "ｺｰﾎﾟ山田 203"]


def address_specs(key: str) -> st.SearchStrategy[dict[str, Any]]:
    return base_spec(key, "address")


@st.composite
def address_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    code, prefecture, city, towns = draw(st.sampled_from(POSTAL_PLACES))
    index = draw(st.integers(0, len(towns) - 1))
    street, building = draw(st.sampled_from(STREETS)), draw(st.sampled_from(BUILDINGS))
    key = spec["key"]
    data = {f"{key}-postal_code": draw(postal_as_typed(code)),
            f"{key}-street": draw(spaced(street)), f"{key}-building": draw(spaced(building))}
    if draw(st.booleans()):
        # "Find the address", then the town chosen from the list: the boxes are left empty.
        data.update({f"{key}-prefecture": "", f"{key}-city": "", f"{key}-town": "",
                     f"{key}-candidate": str(index)})
    else:
        data.update({f"{key}-prefecture": draw(spaced(prefecture)),
                     f"{key}-city": draw(spaced(city)), f"{key}-town": draw(spaced(towns[index]))})
    value = {"postal_code": code, "prefecture": prefecture, "city": city, "town": towns[index],
             "street": street, "building": building}
    return Posted(data, {}), value


# --- マイナンバー and bank accounts -------------------------------------------------------------
def my_number_check_digit(first11: str) -> int:
    """The check digit of a マイナンバー (written out again, not taken from the code under test)."""
    weights = [n + 1 if n <= 6 else n - 5 for n in range(1, 12)]
    remainder = sum(int(d) * w for d, w in zip(reversed(first11), weights, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


my_number = st.text("0123456789", min_size=11, max_size=11).map(
    lambda first: first + str(my_number_check_digit(first)))


def my_number_specs(key: str) -> st.SearchStrategy[dict[str, Any]]:
    return base_spec(key, "my_number")


@st.composite
def my_number_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    number = draw(my_number)
    grouped = f"{number[:4]} {number[4:8]} {number[8:]}"
    typed = draw(st.sampled_from([number, grouped, grouped.replace(" ", "-"),
                                  full_width(number), full_width(grouped.replace(" ", "-"))]))
    return Posted({spec["key"]: draw(spaced(typed))}, {}), number


# (code, how residents write the bank, its full name); branches come from the Zengin data.
BANKS = [("0001", ["みずほ銀行", "ミズホ", "みずほ"], "みずほ銀行"),
         ("0005", ["三菱UFJ銀行", "三菱ＵＦＪ"], "三菱ＵＦＪ銀行"),
         ("0009", ["三井住友銀行", "ﾐﾂｲｽﾐﾄﾓ"], "三井住友銀行"),
         ("0010", ["りそな銀行"], "りそな銀行"),
         ("9900", ["ゆうちょ銀行"], "ゆうちょ銀行"),
         ("1001", ["北海道信用金庫", "北海道信金"], "北海道信用金庫"),
         ("0036", ["楽天銀行"], "楽天銀行"),
         ("0033", ["PayPay銀行"], "ＰａｙＰａｙ銀行")]
# Branches typed by name: (bank code, branch code, as typed).
NAMED_BRANCHES = [
    ("0001", "001", "東京営業部"), ("0005", "001", "本店"), ("0009", "001", "神保町支店"),
    ("0010", "005", "天理"), ("1001", "002", "豊平支店"), ("0036", "201", "ジャズ支店"),
    ("0033", "002", "すずめ"), ("9900", "018", "〇一八"),
]
HOLDERS = [("ミドリ", "ハナコ"), ("タカサキ", "ヨシオ"), ("サトウ", "キョウコ"),
           ("ショウジ", "ジョン"), ("イトウ", "ショウ")]


def bank_account_specs(key: str) -> st.SearchStrategy[dict[str, Any]]:
    return base_spec(key, "bank_account")


@st.composite
def bank_account_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    code, names, full_name = draw(st.sampled_from(BANKS))
    bank = Bank.all[code]
    named = [b for b in NAMED_BRANCHES if b[0] == code]
    if named and draw(st.booleans()):
        _bank, branch_code, branch_typed = draw(st.sampled_from(named))
    else:
        branch_code = draw(st.sampled_from(sorted(bank.branches)))
        branch_typed = draw(st.sampled_from([branch_code, full_width(branch_code)]))
    bank_typed = draw(st.sampled_from([code, full_width(code), *names]))
    number = draw(st.text("0123456789", min_size=1, max_size=7))
    number_typed = draw(st.sampled_from([number, full_width(number)]))
    words = draw(st.sampled_from(HOLDERS))
    holder_typed = draw(st.sampled_from([" ", "\u3000"])).join(
        draw(reading_as_typed(w)) for w in words)
    account_type = draw(st.sampled_from(["ordinary", "current", "savings"]))
    key = spec["key"]
    data = {f"{key}-bank_code": draw(spaced(bank_typed)),
            f"{key}-branch_code": draw(spaced(branch_typed)),
            f"{key}-account_type": account_type, f"{key}-number": draw(spaced(number_typed)),
            f"{key}-holder": draw(spaced(holder_typed))}
    value = {"bank_code": code, "bank_name": full_name, "branch_code": branch_code,
             "branch_name": bank.branches[branch_code].name, "account_type": account_type,
             "number": number.zfill(7), "holder": " ".join(zengin(w) for w in words)}
    return Posted(data, {}), value


# --- files ----------------------------------------------------------------------------------
def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG image of one colour."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", binascii.crc32(kind + body) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                                             0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 24
FILE_NAMES = {"image": ["写真.png", "IMG_0001.JPG", "定期券.jpeg", "photo.heic"],
              "pdf": ["定期券の写し.pdf", "scan 2026-04-01.pdf", "通帳.PDF"]}


@st.composite
def file_specs(draw: st.DrawFn, key: str) -> dict[str, Any]:
    spec = draw(base_spec(key, "file"))
    accept = draw(st.sampled_from([None, ["image"], ["pdf"], ["image", "pdf"], ["pdf", "image"]]))
    if accept is not None:
        spec["accept"] = accept
    size = draw(st.none() | st.sampled_from([1, 2, 5, 10, 0.5, 50]))
    if size is not None:
        spec["max_size_mb"] = size
    count = draw(st.none() | st.integers(1, 4))
    if count is not None:
        spec["max_files"] = count
    return spec


@st.composite
def upload(draw: st.DrawFn, accept: list[str]) -> SimpleUploadedFile:
    kind = draw(st.sampled_from(accept))
    if kind == "pdf":
        content, content_type = PDF + draw(st.binary(max_size=64)), "application/pdf"
    else:
        content, content_type = draw(st.sampled_from([
            (png(draw(st.integers(1, 8)), draw(st.integers(1, 8)),
                 draw(st.tuples(*[st.integers(0, 255)] * 3))), "image/png"),
            (JPEG, "image/jpeg"), (HEIC, "image/heic"),
        ]))
    name = draw(st.sampled_from(FILE_NAMES[kind]))
    return SimpleUploadedFile(name, content, content_type=content_type)


@st.composite
def file_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    accept = spec.get("accept") or ["image", "pdf"]
    count = draw(st.integers(1, spec.get("max_files", 1)))
    uploads = [draw(upload(accept)) for _ in range(count)]
    return Posted({}, {spec["key"]: uploads}), None


# --- groups -----------------------------------------------------------------------------------
GROUP_SUB_TYPES = ("text", "number", "date", "kana", "choice", "name", "phone", "email",
                   "postal_code", "consent", "my_number")
SUB_KEYS = ["name", "birth_date", "school", "grade", "kana", "phone", "amount", "agree", "memo"]


@st.composite
def group_specs(draw: st.DrawFn, key: str) -> dict[str, Any]:
    spec = draw(base_spec(key, "group"))
    keys = draw(st.lists(st.sampled_from(SUB_KEYS), min_size=1, max_size=3, unique=True))
    spec["fields"] = [draw(TYPE_STRATEGIES[draw(st.sampled_from(GROUP_SUB_TYPES))].specs(k))
                      for k in keys]
    low = draw(st.none() | st.integers(0, 2))
    high = draw(st.none() | st.integers(max(low if low is not None else 1, 1), 5))
    if low is not None:
        spec["min_rows"] = low
    if high is not None:
        spec["max_rows"] = high
    counter = draw(st.sampled_from([None, "person", "item"]))
    if counter is not None:
        spec["counter"] = counter
    if draw(st.booleans()):
        spec["item_label"] = {"ja": "お子さん", "en": "Child"}
    return spec


@st.composite
def group_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    low = spec.get("min_rows", 1)
    high = spec.get("max_rows", 10)
    rows = draw(st.integers(max(low, 1), max(min(high, 3), low, 1)))
    key = spec["key"]
    posts = [Posted({f"{key}-rows": str(rows)} if draw(st.booleans()) else {}, {})]
    value = []
    for row in range(rows):
        subs = spec["fields"]
        given = [bool(sub.get("required")) or draw(st.booleans()) for sub in subs]
        if not any(given):
            given[0] = True
        clean_row = {}
        for sub, answer in zip(subs, given, strict=True):
            if not answer:
                clean_row[sub["key"]] = None
                continue
            row_spec = {**sub, "key": f"{key}-{row}-{sub['key']}"}
            posted, expected = draw(TYPE_STRATEGIES[sub["type"]].inputs(row_spec))
            posts.append(posted)
            clean_row[sub["key"]] = expected
        value.append(clean_row)
    return merge(*posts), value


# --- reservation (a signed choice of a slot; booking it needs real slots, see below) -----------
RESERVATION_SERVICES = ["igan", "nyugan", "daicho", "kenko-sodan"]


@st.composite
def reservation_specs(draw: st.DrawFn, key: str) -> dict[str, Any]:
    spec = draw(base_spec(key, "reservation"))
    spec["services"] = draw(st.lists(st.sampled_from(RESERVATION_SERVICES), min_size=1,
                                     max_size=3, unique=True))
    return spec


@st.composite
def reservation_inputs(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Posted, Any]:
    from madoguchi.reservations.form_field import sign_choice

    day = timezone.localdate() + dt.timedelta(days=draw(st.integers(3, 80)))
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(draw(st.integers(8, 16)))))
    value = {"service": draw(st.sampled_from(spec["services"])),
             "slot": draw(st.integers(1, 10**6)), "starts_at": starts.isoformat(),
             "service_name": {"ja": "胃がん検診", "en": "Stomach cancer screening"},
             "venue_name": {"ja": "保健センター", "en": "Health Centre"}}
    key = spec["key"]
    return Posted({f"{key}-service": value["service"], f"{key}-month": day.strftime("%Y-%m"),
                   f"{key}-slot": sign_choice(value)}, {}), value


TYPE_STRATEGIES: dict[str, TypeStrategy] = {
    "text": TypeStrategy(text_specs, text_inputs),
    "email": TypeStrategy(email_specs, email_inputs),
    "phone": TypeStrategy(lambda key: base_spec(key, "phone"), phone_inputs),
    "postal_code": TypeStrategy(lambda key: base_spec(key, "postal_code"), postal_code_inputs),
    "number": TypeStrategy(number_specs, number_inputs),
    "date": TypeStrategy(date_specs, date_inputs),
    "choice": TypeStrategy(choice_specs, choice_inputs),
    "consent": TypeStrategy(consent_specs, consent_inputs),
    "kana": TypeStrategy(kana_specs, kana_inputs),
    "name": TypeStrategy(name_specs, name_inputs),
    "guidance": TypeStrategy(guidance_specs, guidance_inputs),
    "address": TypeStrategy(address_specs, address_inputs),
    "my_number": TypeStrategy(my_number_specs, my_number_inputs),
    "bank_account": TypeStrategy(bank_account_specs, bank_account_inputs),
    "file": TypeStrategy(file_specs, file_inputs),
    "group": TypeStrategy(group_specs, group_inputs),
    "reservation": TypeStrategy(reservation_specs, reservation_inputs),
}
# Types whose submit hook acts on other data (a reservation books a real seat): left out of the
# random definitions that are submitted end to end; the reservations app tests them.
SUBMIT_SIDE_EFFECT_TYPES = {"reservation"}


def field_spec(type_name: str, key: str = "f") -> st.SearchStrategy[dict[str, Any]]:
    return TYPE_STRATEGIES[type_name].specs(key)


def field_input(spec: dict[str, Any]) -> st.SearchStrategy[tuple[Posted, Any]]:
    return TYPE_STRATEGIES[spec["type"]].inputs(spec)


def spec_and_input(type_name: str, key: str = "f") -> st.SearchStrategy:
    """(spec, posted, expected) for one field of ``type_name``."""
    return field_spec(type_name, key).flatmap(
        lambda spec: field_input(spec).map(lambda pair: (spec, *pair)))


# --- input names and hostile values -------------------------------------------------------------
PARTS = {
    "name": ("family", "given", "family_kana", "given_kana"),
    "address": ("postal_code", "prefecture", "city", "town", "street", "building", "candidate"),
    "bank_account": ("bank_code", "branch_code", "account_type", "number", "holder"),
    "reservation": ("service", "month", "slot"),
}


def post_names(spec: dict[str, Any], rows: int = 2) -> list[str]:
    """Every input name a field of ``spec`` reads from a POST (a group's first ``rows`` rows)."""
    key, type_name = spec["key"], spec["type"]
    if type_name in PARTS:
        return [f"{key}-{part}" for part in PARTS[type_name]]
    if type_name == "email":
        return [key, f"{key}-confirm"]
    if type_name == "file":
        return [key, f"{key}-stored"]
    if type_name == "group":
        names = [f"{key}-rows"]
        for row in range(rows):
            for sub in spec.get("fields", []):
                if isinstance(sub, dict) and isinstance(sub.get("type"), str):
                    names += post_names({**sub, "key": f"{key}-{row}-{sub.get('key')}"})
        return names
    return [key]


HOSTILE = [
    "", " ", "\u3000", "\x00", "a\x00b", "０９０\x00１２３４", "\x01\x02\x1b\x7f", "\r\n\r\n", "\t",
    "\u202e\u200b\ufeff", "\\ud800", "\ufffd", "%00", "%s%n", "{{ 7*7 }}", "{% debug %}",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'; DROP TABLE x; --",
    "../../etc/passwd", "9" * 5000, "-1", "-0", "99999999999999999999", "1e309", "NaN",
    "a" * 3000, "あ" * 3000, "𠮷" * 60, "ﾞﾟ", "ー", "ァ", "令和0年1月1日", "令和999年12月31日",
    "明治元年1月1日", "0000-00-00", "9999-12-31", "3100-01-01", "yes", "on", "true", "[]", "{}",
    "〒", "〒000-0000", "0001", "000", "0", "1", "2", "50", "999", "-5", "ordinary", "remove-0",
    "kitayama", "123456789018", "１２３４５６７８９０１８",
]
hostile_scalars = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
hostile_values: st.SearchStrategy[Any] = st.one_of(
    hostile_scalars, st.lists(hostile_scalars, max_size=4),
)
# Anything a Mapping passed to raw_from_post might hold (a QueryDict only ever holds text).
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.binary(max_size=20)
    | hostile_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


# --- whole definitions ------------------------------------------------------------------------
@dataclass
class FieldPlan:
    """A field of a random definition: its spec and the page it is on."""

    spec: dict[str, Any]
    page: int


@dataclass
class DefinitionPlan:
    definition: dict[str, Any]
    fields: list[FieldPlan] = field(default_factory=list)

    def page_fields(self, page: int) -> list[FieldPlan]:
        return [f for f in self.fields if f.page == page]


def _rule(spec: dict[str, Any], value: str, negate: bool) -> dict[str, Any]:
    var = {"var": spec["key"]}
    if spec.get("widget") == "checkboxes":
        rule: dict[str, Any] = {"in": [value, var]}
        return {"!": [rule]} if negate else rule
    return {"!=" if negate else "==": [var, value]}


@st.composite
def definitions(draw: st.DrawFn, types: list[str] | None = None) -> DefinitionPlan:
    """A valid definition: 1–3 pages, 1–6 fields of any registered types, maybe conditions on
    an earlier choice (a field's ``show_if`` or a later page's ``show_if``)."""
    names = types or sorted(set(TYPE_STRATEGIES) - SUBMIT_SIDE_EFFECT_TYPES)
    count = draw(st.integers(1, 6))
    page_count = draw(st.integers(1, min(3, count)))
    # Each page gets at least one field.
    pages = sorted(draw(st.lists(st.integers(0, page_count - 1), min_size=count - page_count,
                                 max_size=count - page_count)) + list(range(page_count)))
    plan = DefinitionPlan({"title": {"ja": "無作為の申請", "en": "Random form"}, "pages": []})
    for index, page in enumerate(pages):
        type_name = draw(st.sampled_from(names))
        spec = draw(TYPE_STRATEGIES[type_name].specs(f"f{index + 1}_{type_name}"[:40]))
        choices = [f.spec for f in plan.fields if f.spec["type"] == "choice"]
        if choices and draw(st.integers(0, 2)) == 0:
            target = draw(st.sampled_from(choices))
            value = str(draw(st.sampled_from(target["options"]))["value"])
            spec["show_if"] = _rule(target, value, draw(st.booleans()))
        plan.fields.append(FieldPlan(spec, page))
    for page in range(page_count):
        page_spec: dict[str, Any] = {
            "key": f"p{page + 1}", "title": {"ja": f"{page + 1}ページ目", "en": f"Page {page + 1}"},
            "fields": [f.spec for f in plan.page_fields(page)],
        }
        earlier = [f.spec for f in plan.fields if f.page < page and f.spec["type"] == "choice"]
        if earlier and draw(st.integers(0, 2)) == 0:
            target = draw(st.sampled_from(earlier))
            value = str(draw(st.sampled_from(target["options"]))["value"])
            page_spec["show_if"] = _rule(target, value, draw(st.booleans()))
        plan.definition["pages"].append(page_spec)
    named = [f.spec["key"] for f in plan.fields if f.spec["type"] == "name"]
    if named and draw(st.booleans()):
        plan.definition["applicant_field"] = named[0]
    return plan
