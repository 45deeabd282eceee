"""和暦 (Japanese era) dates: formatting and lenient parsing of what residents type.

Eras start on a day, not a year: 平成31年4月30日 is followed by 令和元年5月1日.
Dates are Gregorian throughout: 明治 years before
明治6年 (1873) are counted as Western year − 1867, ignoring the lunar calendar then in use, so
明治元年1月1日 in old records (= 1868-01-25) is not what "明治元年1月1日" parses to here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, date, datetime, timedelta

from .errors import JPValueError
from .width import normalize_hyphens, to_ascii

MSG_DATE_FORMAT = "日付を「2026年11月23日」または「令和8年11月23日」の形で入力してください"
MSG_DATE_NOT_EXIST = "%(date)sは存在しません。日付を確かめてください"
MSG_BEFORE_MEIJI = "1868年1月25日（明治の始まり）より前の日付は扱えません。日付を確かめてください"
MSG_OUTSIDE_ERA_ENDED = (
    "%(era)sは%(era_last_day)sまでです。%(date)sは%(actual)sです。日付を確かめてください"
)
MSG_OUTSIDE_ERA_NOT_STARTED = (
    "%(era)sは%(era_first_day)sからです。%(date)sは%(actual)sです。日付を確かめてください"
)
MSG_ERA_YEAR_ZERO = "%(era)s0年はありません。最初の年は「%(era)s元年」（%(era)s1年）です"
MSG_ERA_YEAR_TOO_LARGE = (
    "%(era)sは%(era)s%(last_year)s年（%(last_western)s年）までです。年を確かめてください"
)
MSG_ERA_YEAR_INVALID = "和暦の年を数字で入力してください（1年は「元」または「1」）"
MSG_ERA_UNKNOWN = "元号を明治・大正・昭和・平成・令和から選んでください"
MSG_WESTERN_YEAR_MISMATCH = "%(era_year)sは%(western)s年です。年を確かめてください"


@dataclass(frozen=True)
class Era:
    """A Japanese era: kanji name, one-letter abbreviation and first day."""

    name: str
    letter: str
    start: date


ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 1, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("令和", "R", date(2019, 5, 1)),
)

# Squared era signs (㍾㍽㍼㍻㋿) as typed by some IMEs.
_SQUARED = {
    "\u337e": "明治",
    "\u337d": "大正",
    "\u337c": "昭和",
    "\u337b": "平成",
    "\u32ff": "令和",
}


def _lookup_era(token: str) -> Era | None:
    token = _SQUARED.get(token, token)
    for era in ERAS:
        if token == era.name or token.upper() == era.letter:
            return era
    return None


def _last_day(era: Era) -> date | None:
    """The last day of ``era``, or None for the current era."""
    i = ERAS.index(era)
    return ERAS[i + 1].start - timedelta(days=1) if i + 1 < len(ERAS) else None


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def era_for(d: date) -> Era:
    """The era ``d`` falls in. Raises JPValueError for dates before 明治 (1868-01-25)."""
    d = _as_date(d)
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise JPValueError(MSG_BEFORE_MEIJI, "date_before_meiji")


def to_wareki(d: date) -> tuple[Era, int]:
    """``(era, era_year)`` for ``d``; era_year 1 is 元年."""
    d = _as_date(d)
    era = era_for(d)
    return era, d.year - era.start.year + 1


def format_wareki(d: date) -> str:
    """Format as "令和8年11月23日"; the first year is written 元年 ("令和元年5月1日")."""
    d = _as_date(d)
    era, year = to_wareki(d)
    return f"{era.name}{_year_text(year)}年{d.month}月{d.day}日"


def format_wareki_with_western(d: date) -> str:
    """Format as "令和8年（2026年）11月23日"."""
    d = _as_date(d)
    era, year = to_wareki(d)
    return f"{era.name}{_year_text(year)}年（{d.year}年）{d.month}月{d.day}日"


def _era_year_from_text(text: str) -> int:
    text = to_ascii(text).strip()
    if text == "元":
        return 1
    if not text.isascii() or not text.isdigit():
        raise JPValueError(MSG_ERA_YEAR_INVALID, "invalid_era_year")
    return int(text)


def parse_era_year(era_name_or_letter: str, year: int | str) -> int:
    """Western year for an era and era year, as from a three-box date input.

    ``era_name_or_letter``: "令和", "R" or "r"; ``year``: an int, or text like "8", "８", "元".
    Raises JPValueError for an unknown era, year 0 or a year after the era ended.
    """
    era = _lookup_era(to_ascii(era_name_or_letter).strip())
    if era is None:
        raise JPValueError(MSG_ERA_UNKNOWN, "unknown_era")
    if isinstance(year, str):
        year = _era_year_from_text(year)
    return _western_year(era, year)


def _western_year(era: Era, year: int) -> int:
    if year < 0:
        raise JPValueError(MSG_ERA_YEAR_INVALID, "invalid_era_year")
    if year == 0:
        raise JPValueError(MSG_ERA_YEAR_ZERO, "era_year_zero", {"era": era.name})
    western = era.start.year + year - 1
    if western > MAXYEAR:
        raise JPValueError(MSG_ERA_YEAR_INVALID, "invalid_era_year")
    last = _last_day(era)
    if last is not None and western > last.year:
        params = {
            "era": era.name,
            "last_year": last.year - era.start.year + 1,
            "last_western": last.year,
        }
        raise JPValueError(MSG_ERA_YEAR_TOO_LARGE, "era_year_too_large", params)
    return western


_ERA_PATTERN = r"(明治|大正|昭和|平成|令和|[MTSHRmtshr\u337b-\u337e\u32ff])"
_ERA_YEAR = r"(元|\d{1,3})"
_WESTERN_NOTE = r"(?:\((\d{4})年?\))?"  # "令和8年(2026年)11月23日"
_MONTH_DAY_KANJI = r"(\d{1,2})月(\d{1,2})日?"

_RE_WESTERN_SEP = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_RE_WESTERN_KANJI = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", re.ASCII)
_RE_WESTERN_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_RE_ERA_KANJI = re.compile(
    _ERA_PATTERN + _ERA_YEAR + "年" + _WESTERN_NOTE + _MONTH_DAY_KANJI, re.ASCII
)
_RE_ERA_SEP = re.compile(_ERA_PATTERN + _ERA_YEAR + r"([-/.])(\d{1,2})\3(\d{1,2})", re.ASCII)


def _make_date(year: int, month: int, day: int, typed: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise JPValueError(MSG_DATE_NOT_EXIST, "date_does_not_exist", {"date": typed}) from None


def _era_date(era: Era, year_text: str, month: int, day: int, western_note: str | None) -> date:
    year = 1 if year_text == "元" else int(year_text)
    typed = f"{era.name}{_year_text(year)}年{month}月{day}日"
    western = _western_year(era, year)
    if western_note is not None and int(western_note) != western:
        params = {"era_year": f"{era.name}{_year_text(year)}年", "western": western}
        raise JPValueError(MSG_WESTERN_YEAR_MISMATCH, "western_year_mismatch", params)
    d = _make_date(western, month, day, typed)
    if d < era.start:
        if era is ERAS[0]:
            raise JPValueError(MSG_BEFORE_MEIJI, "date_before_meiji")
        params = {
            "era": era.name,
            "era_first_day": format_wareki(era.start),
            "date": typed,
            "actual": format_wareki(d),
        }
        raise JPValueError(MSG_OUTSIDE_ERA_NOT_STARTED, "date_outside_era", params)
    last = _last_day(era)
    if last is not None and d > last:
        params = {
            "era": era.name,
            "era_last_day": format_wareki(last),
            "date": typed,
            "actual": format_wareki(d),
        }
        raise JPValueError(MSG_OUTSIDE_ERA_ENDED, "date_outside_era", params)
    return d


def parse_date(s: str) -> date:
    """Parse a date as residents type it.

    Western: "2026-11-23", "2026/11/23", "2026.11.23", "2026年11月23日", "20261123".
    和暦: "令和8年11月23日", "令和元年5月1日", "令和8年（2026年）11月23日", "R8.11.23", "r8-11-23",
    "R08/11/23", "H31.4.30". Full-width characters, dash look-alikes and spaces anywhere are
    accepted. Raises JPValueError saying what is wrong (format, impossible date, era boundary).
    """
    text = "".join(normalize_hyphens(to_ascii(s)).split())
    if m := _RE_ERA_KANJI.fullmatch(text):
        era = _lookup_era(m[1])
        assert era is not None
        return _era_date(era, m[2], int(m[4]), int(m[5]), m[3])
    if m := _RE_ERA_SEP.fullmatch(text):
        era = _lookup_era(m[1])
        assert era is not None
        return _era_date(era, m[2], int(m[4]), int(m[5]), None)
    if m := _RE_WESTERN_SEP.fullmatch(text):
        ymd = (m[1], m[3], m[4])
    elif m := _RE_WESTERN_KANJI.fullmatch(text) or _RE_WESTERN_COMPACT.fullmatch(text):
        ymd = (m[1], m[2], m[3])
    else:
        raise JPValueError(MSG_DATE_FORMAT, "invalid_date_format")
    year, month, day = (int(x) for x in ymd)
    return _make_date(year, month, day, f"{year}年{month}月{day}日")
