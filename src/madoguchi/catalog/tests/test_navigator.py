"""The navigator's rules and deadline arithmetic (no database): how Japanese law counts days,
month ends, leap years, closed office days and era changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.catalog import navigator as n
from madoguchi.catalog.templatetags.navi_tags import deadline_date

D = dt.date

BIRTH = n.DeadlineSpec(n.WITHIN, 14, n.DAYS, count_first_day=True)  # 出生届, 戸籍法49条・43条
DEATH = n.DeadlineSpec(n.WITHIN, 7, n.DAYS, count_first_day=True)  # 死亡届, 戸籍法86条・43条
ABROAD = n.DeadlineSpec(n.WITHIN, 3, n.MONTHS, count_first_day=True)  # 国外での出生・死亡
MOVE_IN = n.DeadlineSpec(n.WITHIN, 14, n.DAYS)  # 転入届, 住基法22条 + 民法140条
CHILD_ALLOWANCE = n.DeadlineSpec(n.WITHIN, 15, n.DAYS)  # 児童手当 15日特例, from the day after
CITY_30 = n.DeadlineSpec(n.WITHIN, 30, n.DAYS, extend_if_closed=False)  # a city's own rule


def last(spec: n.DeadlineSpec, event: dt.date) -> dt.date:
    return n.compute_deadline(spec, event).last_day


# --- the office calendar -----------------------------------------------------------------------

@pytest.mark.parametrize("day", [
    D(2026, 12, 5), D(2026, 12, 6),  # Saturday, Sunday
    D(2026, 11, 23),  # 勤労感謝の日
    D(2026, 5, 6),  # 振替休日 (憲法記念日 on Sunday 3 May)
    D(2026, 9, 22),  # 国民の休日 between 敬老の日 and 秋分の日
    D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 2),
    D(2027, 1, 3),
])
def test_office_closed_days(day):
    assert n.is_office_closed(day)


@pytest.mark.parametrize("day", [D(2026, 12, 28), D(2027, 1, 4), D(2026, 12, 14),
                                 D(2026, 11, 24)])
def test_office_open_days(day):
    assert not n.is_office_closed(day)


def test_next_and_previous_open_day():
    assert n.next_open_day(D(2026, 12, 26)) == D(2026, 12, 28)  # Saturday → Monday
    assert n.next_open_day(D(2026, 12, 29)) == D(2027, 1, 4)  # the year-end closure
    assert n.next_open_day(D(2026, 12, 14)) == D(2026, 12, 14)
    assert n.previous_open_day(D(2027, 1, 3)) == D(2026, 12, 28)


# --- days: first day counted or not ------------------------------------------------------------

def test_birth_registration_counts_the_day_of_birth():
    # Born on 1 December: 1 December is day 1, so day 14 is 14 December (a Monday).
    assert last(BIRTH, D(2026, 12, 1)) == D(2026, 12, 14)


def test_moving_in_does_not_count_the_day_of_moving():
    # 民法140条: the period starts on 2 December, so the 14th day is 15 December.
    assert last(MOVE_IN, D(2026, 12, 1)) == D(2026, 12, 15)


def test_child_allowance_counts_fifteen_days_from_the_day_after():
    assert last(CHILD_ALLOWANCE, D(2026, 12, 1)) == D(2026, 12, 16)


def test_death_registration_counts_the_day_of_learning():
    assert last(DEATH, D(2026, 12, 1)) == D(2026, 12, 7)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)),
       st.integers(min_value=1, max_value=400))
def test_counting_the_first_day_ends_one_day_earlier(event, days):
    counted = n.period_end(event, days, n.DAYS, count_first_day=True)
    not_counted = n.period_end(event, days, n.DAYS, count_first_day=False)
    assert not_counted - counted == dt.timedelta(days=1)
    assert (counted - event).days == days - 1


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)),
       st.integers(min_value=1, max_value=60), st.booleans())
def test_an_extended_deadline_is_the_first_open_day_after_the_period(event, days, first):
    spec = n.DeadlineSpec(n.WITHIN, days, n.DAYS, count_first_day=first)
    deadline = n.compute_deadline(spec, event)
    assert not n.is_office_closed(deadline.last_day)
    assert deadline.last_day >= deadline.period_end
    between = deadline.period_end
    while between < deadline.last_day:  # every day skipped was a closed day
        assert n.is_office_closed(between)
        between += dt.timedelta(days=1)


# --- closed office days ------------------------------------------------------------------------

def test_a_deadline_on_a_sunday_moves_to_monday():
    # Born on 7 December 2026: day 14 is Sunday 20 December → Monday 21 December.
    deadline = n.compute_deadline(BIRTH, D(2026, 12, 7))
    assert deadline.period_end == D(2026, 12, 20)
    assert deadline.last_day == D(2026, 12, 21)
    assert deadline.extended


def test_a_deadline_in_the_year_end_closure_moves_to_the_fourth_of_january():
    deadline = n.compute_deadline(BIRTH, D(2026, 12, 17))
    assert deadline.period_end == D(2026, 12, 30)
    assert deadline.last_day == D(2027, 1, 4)


def test_a_deadline_on_a_holiday_moves_past_the_substitute_holiday():
    # 転入 on Saturday 20 April 2019: day 14 is 4 May (国民の休日); 5 May is Sunday, 6 May a
    # 振替休日; the first open day is 7 May.
    assert last(MOVE_IN, D(2019, 4, 20)) == D(2019, 5, 7)


def test_a_city_rule_that_does_not_move_keeps_its_day():
    deadline = n.compute_deadline(CITY_30, D(2026, 12, 1))
    assert deadline.last_day == D(2026, 12, 31)  # closed, but the city's rule does not move
    assert not deadline.extended
    assert deadline.last_open_day == D(2026, 12, 28)


# --- months, month ends and leap years ---------------------------------------------------------

@pytest.mark.parametrize(("event", "first", "end"), [
    (D(2026, 1, 15), True, D(2026, 4, 14)),  # day before the same day three months on
    (D(2026, 1, 15), False, D(2026, 4, 15)),
    (D(2026, 11, 30), True, D(2027, 2, 28)),  # no 30 February: the end of February
    (D(2027, 11, 30), True, D(2028, 2, 29)),  # … which is the 29th in a leap year
    (D(2026, 11, 29), False, D(2027, 2, 28)),  # starts 30 November: still the end of February
    (D(2027, 11, 29), True, D(2028, 2, 28)),  # 29 February exists in 2028: the day before it
    (D(2026, 12, 31), False, D(2027, 3, 31)),  # starts 1 January: whole months
])
def test_month_periods_follow_civil_code_article_143(event, first, end):
    assert n.period_end(event, 3, n.MONTHS, count_first_day=first) == end


def test_one_month_from_the_end_of_january():
    assert n.period_end(D(2027, 1, 31), 1, n.MONTHS, count_first_day=True) == D(2027, 2, 28)
    assert n.period_end(D(2028, 1, 31), 1, n.MONTHS, count_first_day=True) == D(2028, 2, 29)
    assert n.period_end(D(2027, 1, 30), 1, n.MONTHS, count_first_day=False) == D(2027, 2, 28)


def test_abroad_birth_deadline_on_a_sunday_moves():
    # Born abroad 30 November 2026: the period ends Sunday 28 February 2027 → Monday 1 March.
    deadline = n.compute_deadline(ABROAD, D(2026, 11, 30))
    assert (deadline.period_end, deadline.last_day) == (D(2027, 2, 28), D(2027, 3, 1))


@pytest.mark.parametrize(("born", "deadline"), [
    (D(2028, 2, 16), D(2028, 2, 29)),  # leap year: day 14 is 29 February (a Tuesday)
    (D(2027, 2, 16), D(2027, 3, 1)),  # common year: day 14 is 1 March (a Monday)
    (D(2028, 2, 29), D(2028, 3, 13)),  # born on the leap day
])
def test_birth_deadlines_around_the_leap_day(born, deadline):
    assert last(BIRTH, born) == deadline


@pytest.mark.parametrize(("event", "months", "end"), [
    (D(2027, 4, 6), 0, D(2027, 4, 30)),
    (D(2028, 2, 3), 0, D(2028, 2, 29)),
    (D(2027, 2, 3), 0, D(2027, 2, 28)),
    (D(2026, 12, 3), 1, D(2027, 1, 31)),
])
def test_end_of_month(event, months, end):
    assert n.end_of_month(event, months) == end


def test_month_end_deadline_can_move_or_stay():
    stay = n.DeadlineSpec(n.MONTH_END, 0, extend_if_closed=False)
    move = n.DeadlineSpec(n.MONTH_END, 0, extend_if_closed=True)
    # 31 January 2027 is a Sunday.
    assert last(stay, D(2027, 1, 6)) == D(2027, 1, 31)
    assert last(move, D(2027, 1, 6)) == D(2027, 2, 1)


# --- era changes -------------------------------------------------------------------------------

def test_a_deadline_across_the_heisei_reiwa_change():
    # Born 25 April 2019 (平成31年): day 14 is 8 May 2019, in 令和元年, after the 10-day holiday.
    deadline = n.compute_deadline(BIRTH, D(2019, 4, 25))
    assert deadline.last_day == D(2019, 5, 8)
    with translation.override("ja"):
        assert deadline_date(D(2019, 4, 25)) == "平成31年4月25日（2019年4月25日）"
        assert deadline_date(deadline.last_day) == "令和元年5月8日（2019年5月8日）"


def test_era_first_and_last_days_are_written_correctly():
    with translation.override("ja"):
        assert deadline_date(D(2019, 4, 30)) == "平成31年4月30日（2019年4月30日）"
        assert deadline_date(D(2019, 5, 1)) == "令和元年5月1日（2019年5月1日）"
        assert deadline_date(D(1989, 1, 7)) == "昭和64年1月7日（1989年1月7日）"
        assert deadline_date(D(1989, 1, 8)) == "平成元年1月8日（1989年1月8日）"
        assert deadline_date(D(2026, 12, 14)) == "令和8年12月14日（2026年12月14日）"
    with translation.override("en"):
        assert deadline_date(D(2026, 12, 14)) == "14 December 2026"


def test_a_deadline_across_the_showa_heisei_change():
    # Moved in on 1 January 1989 (昭和64年): day 14 is Sunday 15 January (成人の日), 16 January
    # is a 振替休日, so the deadline is 17 January 平成元年.
    deadline = n.compute_deadline(MOVE_IN, D(1989, 1, 1))
    assert deadline.last_day == D(1989, 1, 17)
    with translation.override("ja"):
        assert deadline_date(deadline.last_day) == "平成元年1月17日（1989年1月17日）"


# --- before the event, no deadline, status ---------------------------------------------------

def test_before_the_event():
    spec = n.DeadlineSpec(n.BEFORE, opens_days_before=14)
    deadline = n.compute_deadline(spec, D(2026, 12, 7))  # moving on Monday 7 December
    assert deadline.last_day == D(2026, 12, 6)
    assert deadline.last_open_day == D(2026, 12, 4)  # the Friday before
    assert deadline.opens_on == D(2026, 11, 23)
    assert not deadline.extended


@pytest.mark.parametrize("kind", [n.NONE, n.ASAP])
def test_no_date(kind):
    deadline = n.compute_deadline(n.DeadlineSpec(kind), D(2026, 12, 1))
    assert deadline.last_day is None
    assert deadline.status(D(2030, 1, 1)) == "none"


def test_status_and_days_left():
    deadline = n.compute_deadline(BIRTH, D(2026, 12, 1))  # 14 December
    assert deadline.status(D(2026, 12, 4)) == "open"
    assert deadline.days_left(D(2026, 12, 4)) == 10
    assert deadline.status(D(2026, 12, 14)) == "today"
    assert deadline.status(D(2026, 12, 15)) == "overdue"
    assert deadline.days_left(D(2026, 12, 15)) == -1


def test_bad_specs_are_refused():
    with pytest.raises(ValueError, match="kind"):
        n.DeadlineSpec("whenever")
    with pytest.raises(ValueError, match="unit"):
        n.DeadlineSpec(n.WITHIN, 3, "weeks")
    with pytest.raises(ValueError, match="negative"):
        n.DeadlineSpec(n.WITHIN, -1)


# --- conditions --------------------------------------------------------------------------------

def test_rows_become_json_logic_of_the_forms_app_and_back():
    rows = [n.ConditionRow("kokuho", "is_yes"), n.ConditionRow("children", "gte", 1)]
    logic = n.rows_to_logic(rows, "all")
    assert logic == {"and": [{"==": [{"var": "kokuho"}, "yes"]},
                             {">=": [{"var": "children"}, 1]}]}
    assert n.logic_to_rows(logic) == (rows, "all")
    any_logic = n.rows_to_logic(rows, "any")
    assert "or" in any_logic
    assert n.logic_to_rows(any_logic) == (rows, "any")
    single = [n.ConditionRow("age", "lt", 3)]
    assert n.logic_to_rows(n.rows_to_logic(single)) == (single, "all")
    assert n.rows_to_logic([]) is None
    assert n.logic_to_rows(None) == ([], "all")


def test_hand_written_logic_is_reported_as_unreadable():
    assert n.logic_to_rows({"!": [{"var": "x"}]}) is None
    assert n.logic_to_rows({"and": "nope"}) is None


@pytest.mark.parametrize(("condition", "answers", "expected"), [
    (None, {}, True),
    ({"==": [{"var": "kokuho"}, "yes"]}, {"kokuho": "yes"}, True),
    ({"==": [{"var": "kokuho"}, "yes"]}, {"kokuho": "no"}, False),
    ({">=": [{"var": "children"}, 1]}, {"children": 0}, False),
    ({">=": [{"var": "children"}, 1]}, {"children": 2}, True),
    ({"<": [{"var": "age"}, 3]}, {"age": 3}, False),
    ({"and": [{"==": [{"var": "a"}, "yes"]}, {"==": [{"var": "b"}, "no"]}]},
     {"a": "yes", "b": "no"}, True),
    ({"or": [{"==": [{"var": "a"}, "yes"]}, {"==": [{"var": "b"}, "yes"]}]},
     {"a": "no", "b": "no"}, False),
    ({"unknown-op": [1, 2]}, {}, False),
])
def test_applies(condition, answers, expected):
    assert n.applies(condition, answers) is expected


# --- answers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "value", "error"), [
    ("2", 2, None), ("２", 2, None), (" 0 ", 0, None), ("1,0", 10, None),
    ("", None, "missing"), ("two", None, "not_a_number"), ("-1", None, "not_a_number"),
    ("21", None, "out_of_range"), ("9" * 50, None, "not_a_number"), ("1.5", None, "not_a_number"),
])
def test_number_answers(raw, value, error):
    assert n.clean_answer(n.Question("children", n.NUMBER, 0, 20), raw) == (value, error)


@pytest.mark.parametrize(("raw", "value", "error"), [
    ("yes", "yes", None), ("no", "no", None), ("", None, "missing"), ("maybe", None, "missing"),
])
def test_yes_no_answers(raw, value, error):
    assert n.clean_answer(n.Question("kokuho", n.YES_NO), raw) == (value, error)
