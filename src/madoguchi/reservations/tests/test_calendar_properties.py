"""The calendar generator: never a slot on a holiday or closing day; idempotent."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import jpholiday
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.reservations import calendar
from madoguchi.reservations.models import ClosingDay, Slot, SlotTemplate

from . import factories as f

YEARLY = calendar.city_closing_days()
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2035, 12, 31))
times = st.integers(min_value=6 * 4, max_value=20 * 4).map(
    lambda q: dt.time(q // 4, (q % 4) * 15))


@st.composite
def templates(draw):
    out = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(times)
        minutes = draw(st.integers(15, 240))
        end_dt = dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)
        end = min(end_dt, dt.datetime(2000, 1, 1, 23, 59)).time()
        room_id = draw(st.integers(1, 3))
        out.append(SimpleNamespace(
            weekday=draw(st.integers(0, 6)), start_time=start, end_time=end,
            capacity=draw(st.none() | st.integers(1, 20)), valid_from=draw(dates),
            valid_until=draw(st.none() | dates), room_id=room_id,
            room=SimpleNamespace(venue_id=room_id % 2 or None)))
    return out


@settings(max_examples=200, deadline=None)
@given(templates(), dates, st.integers(0, 60), st.integers(5, 120),
       st.sets(st.tuples(dates, st.sampled_from([None, 1])), max_size=5))
def test_no_slot_on_holidays_or_closing_days(tmpls, start, span, minutes, closures):
    service = SimpleNamespace(duration_minutes=minutes, capacity=4)
    end = start + dt.timedelta(days=span)
    plan = calendar.planned_slots(service, tmpls, start, end, closures=closures, yearly=YEARLY)
    venue_of = {t.room_id: t.room.venue_id for t in tmpls}
    for p in plan:
        local = timezone.localtime(p["starts_at"])
        day = local.date()
        assert start <= day <= end
        assert not jpholiday.is_holiday(day)
        assert (day.month, day.day) not in YEARLY
        assert (day, None) not in closures and (day, venue_of[p["room_id"]]) not in closures
        assert p["ends_at"] - p["starts_at"] == dt.timedelta(minutes=minutes)
        assert timezone.localtime(p["ends_at"]).date() == day
        band = [t for t in tmpls if t.room_id == p["room_id"] and t.weekday == day.weekday()
                and t.start_time <= local.time() and timezone.localtime(p["ends_at"]).time()
                <= t.end_time and t.valid_from <= day
                and (t.valid_until is None or day <= t.valid_until)]
        assert band, p


def test_known_days():
    t = SimpleNamespace(weekday=0, start_time=dt.time(9), end_time=dt.time(10), capacity=None,
                        valid_from=dt.date(2020, 1, 1), valid_until=None, room_id=1,
                        room=SimpleNamespace(venue_id=1))
    service = SimpleNamespace(duration_minutes=30, capacity=2)
    # 2026-11-23 (Monday) is 勤労感謝の日; 2026-11-30 is an ordinary Monday.
    plan = calendar.planned_slots(service, [t], dt.date(2026, 11, 23), dt.date(2026, 11, 30),
                                  closures=set(), yearly=YEARLY)
    assert {timezone.localtime(p["starts_at"]).date() for p in plan} == {dt.date(2026, 11, 30)}
    assert len(plan) == 2
    # 2029-12-31 is a Monday: closed for the new year.
    assert not calendar.planned_slots(service, [t], dt.date(2029, 12, 31), dt.date(2029, 12, 31),
                                      closures=set(), yearly=YEARLY)


def test_closing_days_setting(settings):
    settings.MADOGUCHI_CLOSING_DAYS = ["08-15"]
    assert calendar.city_closing_days() == {(8, 15)}


@pytest.mark.django_db
def test_generate_is_idempotent_and_respects_closures_and_extras(demo):
    svc = f.service(duration_minutes=30, capacity=4)
    room = f.room()
    SlotTemplate.objects.create(service=svc, room=room, weekday=0, start_time=dt.time(9),
                                end_time=dt.time(11), valid_from=dt.date(2026, 1, 1))
    start, end = dt.date(2026, 11, 16), dt.date(2026, 12, 7)  # Mondays 16, 23 (holiday), 30, 7
    ClosingDay.objects.create(date=dt.date(2026, 12, 7), venue=room.venue,
                              reason={"ja": "館内点検", "en": "Inspection"})
    assert calendar.generate_slots(svc, start, end) == 8  # 16th and 30th, four slots each
    assert calendar.generate_slots(svc, start, end) == 0
    assert Slot.objects.filter(service=svc).count() == 8
    assert calendar.add_extra_session(svc, room, dt.date(2026, 11, 23), dt.time(13),
                                      dt.time(14)) == 2
    assert Slot.objects.filter(service=svc, source="extra").count() == 2
    assert calendar.close_day(dt.date(2026, 11, 30), reason={"ja": "臨時休館"}) >= 4
    assert Slot.objects.filter(service=svc, status="closed").count() == 4
