"""The demo city's forms: the 健康づくり教室 form has its own title and session dates that move
with today (never a day already past)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.conftest import visible_text
from madoguchi.demo import city as demo_module
from madoguchi.demo.city import load_demo_city, session_dates
from madoguchi.forms.models import FormDefinition

RULE = {"field": "sessions", "weekday": 5, "weeks_of_month": [2, 4], "count": 3,
        "days_ahead": 7, "label": {"ja": "第{number}回 {date}", "en": "Session {number}: {date}"}}
SLUG = "event-moshikomi"


def test_session_dates_are_the_next_second_and_fourth_saturdays_one_can_apply_for():
    assert session_dates(RULE, dt.date(2026, 11, 23)) == [
        dt.date(2026, 12, 12), dt.date(2026, 12, 26), dt.date(2027, 1, 9)]
    # The second Saturday of December is eight days away: still open (a week before).
    assert session_dates(RULE, dt.date(2026, 12, 4))[0] == dt.date(2026, 12, 12)
    assert session_dates(RULE, dt.date(2026, 12, 6))[0] == dt.date(2026, 12, 26)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_session_dates_are_never_past_nor_too_close(today):
    days = session_dates(RULE, today)
    assert len(days) == 3 and days == sorted(days)
    assert days[0] >= today + dt.timedelta(days=7)
    for day in days:
        assert day.weekday() == 5 and (day.day - 1) // 7 + 1 in (2, 4)
    # None skipped: every qualifying Saturday between the first and the last is offered.
    between = [days[0] + dt.timedelta(weeks=n) for n in range((days[-1] - days[0]).days // 7)]
    assert [d for d in between if (d.day - 1) // 7 + 1 in (2, 4)] == days[:-1]


def live_definition() -> dict:
    return FormDefinition.objects.get(slug=SLUG).live_version.definition


def offered(definition: dict) -> list[tuple[str, str]]:
    field = next(f for p in definition["pages"] for f in p["fields"] if f["key"] == "sessions")
    return [(o["value"], o["label"]["ja"]) for o in field["options"]]


def test_the_health_class_form_has_its_own_title_and_open_dates(demo):
    definition = live_definition()
    # (The demo's translations into the other languages may be there too.)
    assert {code: definition["title"][code] for code in ("ja", "en")} == {
        "ja": "健康づくり教室の参加申込", "en": "Health class registration"}
    assert FormDefinition.objects.get(slug=SLUG).title == definition["title"]
    earliest = timezone.localdate() + dt.timedelta(days=7)
    sessions = offered(definition)
    assert len(sessions) == 3
    for value, label in sessions:
        day = dt.date.fromisoformat(value)
        assert day >= earliest
        assert label.startswith(f"第{sessions.index((value, label)) + 1}回 "
                                f"{day.month}月{day.day}日（土）")
    client = Client()
    page = visible_text(client.get(f"/apply/{SLUG}/participant/").content)
    assert "健康づくり教室の参加申込" in page
    assert "イベント・講座の参加申込" not in page


def test_a_later_load_moves_past_dates_and_keeps_open_ones(demo, monkeypatch):
    before = offered(live_definition())
    versions = FormDefinition.objects.get(slug=SLUG).versions.count()
    first = dt.date.fromisoformat(before[0][0])
    # A day later than the first session's last day to apply: the dates move.
    later = first - dt.timedelta(days=6)
    monkeypatch.setattr(demo_module.timezone, "localdate", lambda *args, **kwargs: later)
    load_demo_city()
    after = offered(live_definition())
    assert FormDefinition.objects.get(slug=SLUG).versions.count() == versions + 1
    assert [dt.date.fromisoformat(v) for v, _label in after] == session_dates(RULE, later)
    assert all(dt.date.fromisoformat(v) >= later + dt.timedelta(days=7) for v, _l in after)
    assert FormDefinition.objects.get(slug=SLUG).draft == live_definition()
    # Loading again the same day changes nothing.
    load_demo_city()
    assert FormDefinition.objects.get(slug=SLUG).versions.count() == versions + 1


def test_a_form_from_an_older_demo_gets_the_title_and_dates(demo):
    """A database made before the demo adapted the template: generic title, fixed dates."""
    from madoguchi.forms.library import get_template
    from madoguchi.forms.services import publish

    form = FormDefinition.objects.get(slug=SLUG)
    publish(form, get_template(SLUG).definition)
    assert live_definition()["title"]["ja"] == "イベント・講座の参加申込"
    load_demo_city()
    assert live_definition()["title"]["ja"] == "健康づくり教室の参加申込"
    assert [v for v, _label in offered(live_definition())] == [
        d.isoformat() for d in session_dates(RULE, timezone.localdate())]


def test_staff_changes_to_the_form_stay(demo):
    import copy

    from madoguchi.forms.services import publish

    form = FormDefinition.objects.get(slug=SLUG)
    changed = copy.deepcopy(live_definition())
    changed["title"] = {"ja": "歯の健康教室", "en": "Dental health class"}
    publish(form, changed)
    load_demo_city()
    assert live_definition() == changed


@pytest.mark.parametrize("language", ["ja", "en"])
def test_session_labels_in_both_languages(demo, language):
    field = next(f for p in live_definition()["pages"] for f in p["fields"]
                 if f["key"] == "sessions")
    label = field["options"][0]["label"][language]
    assert ("第1回" if language == "ja" else "Session 1: Saturday") in label
