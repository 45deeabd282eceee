"""Property tests of the date rules: fiscal years, ages on 31 March, deadlines in JST."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.reservations.models import Service
from madoguchi.reservations.services import age_on, fiscal_year

JST = timezone.get_default_timezone()
days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))


@given(days)
def test_fiscal_year_boundary(day):
    fy = fiscal_year(day)
    assert dt.date(fy, 4, 1) <= day <= dt.date(fy + 1, 3, 31)


@given(st.integers(1990, 2090))
def test_march_31_and_april_1_are_different_fiscal_years(year):
    assert fiscal_year(dt.date(year, 3, 31)) == year - 1
    assert fiscal_year(dt.date(year, 4, 1)) == year


@given(days, days)
def test_age_increases_by_one_on_the_day_before_the_birthday(birth, day):
    if birth > day:
        return
    age = age_on(birth, day)
    assert 0 <= age - (day.year - birth.year) + 1 <= 1
    assert age_on(birth, day + dt.timedelta(days=1)) - age in (0, 1)


@given(st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2040, 1, 1)),
       st.integers(0, 14), st.times())
def test_change_deadline_is_local_and_never_after_start(naive, days_before, at):
    starts = timezone.make_aware(naive, JST)
    svc = SimpleNamespace(change_deadline_days=days_before, change_deadline_time=at)
    deadline = Service.change_deadline(svc, starts)
    assert deadline <= starts
    local = timezone.localtime(deadline)
    if deadline != starts:
        assert local.date() == timezone.localtime(starts).date() - dt.timedelta(days=days_before)
        assert local.time().replace(microsecond=at.microsecond) == at
