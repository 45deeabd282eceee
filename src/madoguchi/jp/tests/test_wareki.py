from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.wareki import (
    ERAS,
    MSG_DATE_FORMAT,
    Era,
    era_for,
    format_wareki,
    format_wareki_with_western,
    parse_date,
    parse_era_year,
    to_wareki,
)

FIRST = date(1868, 1, 25)
LAST = date(2100, 12, 31)
dates = st.dates(min_value=FIRST, max_value=LAST)
FULL_WIDTH = str.maketrans("0123456789./-", "０１２３４５６７８９．／－")


def test_era_table_matches_domain():
    assert [(e.name, e.letter, e.start) for e in ERAS] == [
        ("明治", "M", date(1868, 1, 25)),
        ("大正", "T", date(1912, 7, 30)),
        ("昭和", "S", date(1926, 12, 25)),
        ("平成", "H", date(1989, 1, 8)),
        ("令和", "R", date(2019, 5, 1)),
    ]
    with pytest.raises(AttributeError):
        ERAS[0].name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("d", "era_name", "year"),
    [
        (date(1868, 1, 25), "明治", 1),
        (date(1912, 7, 29), "明治", 45),
        (date(1912, 7, 30), "大正", 1),
        (date(1926, 12, 24), "大正", 15),
        (date(1926, 12, 25), "昭和", 1),
        (date(1989, 1, 7), "昭和", 64),
        (date(1989, 1, 8), "平成", 1),
        (date(2019, 4, 30), "平成", 31),
        (date(2019, 5, 1), "令和", 1),
        (date(2026, 11, 23), "令和", 8),
    ],
)
def test_era_boundaries(d, era_name, year):
    era, y = to_wareki(d)
    assert (era.name, y) == (era_name, year)
    assert era_for(d) == era


def test_before_meiji_is_rejected():
    with pytest.raises(JPValueError) as exc:
        era_for(date(1868, 1, 24))
    assert exc.value.code == "date_before_meiji"
    assert "1868年1月25日" in exc.value.message


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2026, 11, 23), "令和8年11月23日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1868, 1, 25), "明治元年1月25日"),
        (datetime(2026, 11, 23, 9, 30), "令和8年11月23日"),
    ],
)
def test_format_wareki(d, text):
    assert format_wareki(d) == text


def test_format_wareki_with_western():
    assert format_wareki_with_western(date(2026, 11, 23)) == "令和8年（2026年）11月23日"
    assert format_wareki_with_western(date(2019, 5, 1)) == "令和元年（2019年）5月1日"


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23",
        "2026/11/23",
        "2026.11.23",
        "2026年11月23日",
        "2026年11月23",
        "20261123",
        "令和8年11月23日",
        "R8.11.23",
        "R8/11/23",
        "r8-11-23",
        "R08.11.23",
        "R8年11月23日",
        "令和８年１１月２３日",
        "２０２６／１１／２３",
        " 令和 8 年 11 月 23 日 ",
        "2026 - 11 - 23",
        "2026−11−23",
        "2026ー11ー23",
        "令和8年（2026年）11月23日",
        "㋿8年11月23日",
        "令和8.11.23",
    ],
)
def test_parse_date_accepts(text):
    assert parse_date(text) == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("R元.5.1", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("S64.1.7", date(1989, 1, 7)),
        ("㍻元年1月8日", date(1989, 1, 8)),
        ("T15.12.24", date(1926, 12, 24)),
        ("M45.7.29", date(1912, 7, 29)),
        ("1800-01-01", date(1800, 1, 1)),  # Western dates are not limited to eras
    ],
)
def test_parse_date_other_dates(text, expected):
    assert parse_date(text) == expected


def _error(text: str) -> JPValueError:
    with pytest.raises(JPValueError) as exc:
        parse_date(text)
    assert isinstance(exc.value, ValueError)
    assert str(exc.value) == exc.value.message
    return exc.value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "2026/11-23",
        "26/11/23",
        "令和8年",
        "X8.11.23",
        "2026年11月",
        "11/23/2026",
        "٢٠٢٦-١١-٢٣",
        "令和8年11月23日ごろ",
        "2026-11-23-1",
    ],
)
def test_unparsable(text):
    err = _error(text)
    assert err.code == "invalid_date_format"
    assert err.message == MSG_DATE_FORMAT


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("2026年2月30日", "2026年2月30日"),
        ("2026-02-30", "2026年2月30日"),
        ("2026-13-01", "2026年13月1日"),
        ("2026-11-00", "2026年11月0日"),
        ("R7.2.29", "令和7年2月29日"),
        ("平成31年2月29日", "平成31年2月29日"),
    ],
)
def test_impossible_calendar_date_names_the_date(text, named):
    err = _error(text)
    assert err.code == "date_does_not_exist"
    assert err.message == f"{named}は存在しません。日付を確かめてください"


def test_era_date_after_era_ended():
    err = _error("平成31年5月1日")
    assert err.code == "date_outside_era"
    assert "平成31年4月30日" in err.message
    assert "令和元年5月1日" in err.message


def test_era_date_before_era_started():
    err = _error("平成元年1月7日")
    assert err.code == "date_outside_era"
    assert "平成元年1月8日" in err.message
    assert "昭和64年1月7日" in err.message


def test_meiji_before_its_first_day():
    assert _error("明治元年1月24日").code == "date_before_meiji"


def test_era_year_zero():
    err = _error("令和0年5月1日")
    assert err.code == "era_year_zero"
    assert "令和元年" in err.message


@pytest.mark.parametrize(("text", "last"), [("平成32年1月1日", "31"), ("S65.1.1", "64")])
def test_era_year_too_large(text, last):
    err = _error(text)
    assert err.code == "era_year_too_large"
    assert f"{last}年" in err.message


def test_western_year_note_must_agree():
    assert _error("令和8年（2025年）11月23日").code == "western_year_mismatch"


def test_every_date_round_trips_through_format_wareki():
    d = FIRST
    while d <= LAST:
        assert parse_date(format_wareki(d)) == d, d
        d += timedelta(days=1)


@given(dates)
def test_round_trip_with_western_note(d):
    assert parse_date(format_wareki_with_western(d)) == d


@given(dates, st.sampled_from(".-/"), st.booleans(), st.booleans())
def test_round_trip_letter_form(d, sep, lower, full_width):
    era, year = to_wareki(d)
    letter = era.letter.lower() if lower else era.letter
    text = f"{letter}{year:02d}{sep}{d.month}{sep}{d.day}"
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_date(text) == d


@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(["-", "/", ".", ""]))
def test_round_trip_western(d, sep):
    assert parse_date(f"{d.year:04d}{sep}{d.month:02d}{sep}{d.day:02d}") == d


@pytest.mark.parametrize("i", range(1, len(ERAS)))
def test_day_before_era_start_is_previous_era(i):
    eve = ERAS[i].start - timedelta(days=1)
    assert era_for(eve) == ERAS[i - 1]
    assert era_for(ERAS[i].start) == ERAS[i]
    assert format_wareki(ERAS[i].start).startswith(f"{ERAS[i].name}元年")


@given(dates)
def test_to_wareki_era_contains_date(d):
    era, _ = to_wareki(d)
    assert era.start <= d
    following = [e for e in ERAS if e.start > era.start]
    if following:
        assert d < following[0].start


@pytest.mark.parametrize(
    ("era", "year", "western"),
    [
        ("令和", 8, 2026),
        ("R", "元", 2019),
        ("r", "１", 2019),
        ("h", "３１", 2019),
        ("平成", 31, 2019),
        ("明治", 45, 1912),
        ("大正", "15", 1926),
        ("S", 64, 1989),
        (" 昭和 ", 1, 1926),
    ],
)
def test_parse_era_year(era, year, western):
    assert parse_era_year(era, year) == western


@pytest.mark.parametrize(
    ("era", "year", "code"),
    [
        ("平成", 32, "era_year_too_large"),
        ("大正", 16, "era_year_too_large"),
        ("令和", 0, "era_year_zero"),
        ("令和", "0", "era_year_zero"),
        ("X", 1, "unknown_era"),
        ("", 1, "unknown_era"),
        ("昭和", "abc", "invalid_era_year"),
        ("昭和", -1, "invalid_era_year"),
        ("昭和", "٣", "invalid_era_year"),
    ],
)
def test_parse_era_year_rejects(era, year, code):
    with pytest.raises(JPValueError) as exc:
        parse_era_year(era, year)
    assert exc.value.code == code


def test_era_is_a_frozen_dataclass():
    era = Era("令和", "R", date(2019, 5, 1))
    assert era == ERAS[-1]
    assert hash(era) == hash(ERAS[-1])
