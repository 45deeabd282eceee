"""The city shown in every page's header and footer: read once per CITY_DISPLAY_SECONDS."""

from __future__ import annotations

import pytest

from madoguchi.catalog import selectors
from madoguchi.catalog.models import City


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: now[0])
    return now


def test_read_once_then_again_after_the_interval(demo, clock, django_assert_num_queries):
    selectors.forget_city()
    with django_assert_num_queries(1):
        first = selectors.city_for_display()
        assert selectors.city_for_display() is first
    # Another server changed the phone number (no signal reaches this process).
    City.objects.update(phone="0120-000-000")
    clock[0] += selectors.CITY_DISPLAY_SECONDS - 1
    assert selectors.city_for_display().phone == first.phone
    clock[0] += 2
    assert selectors.city_for_display().phone == "0120-000-000"


def test_a_save_in_this_process_shows_at_once(demo, clock, client):
    city = selectors.city_for_display()
    city = City.objects.get(pk=city.pk)
    city.phone = "0120-111-222"
    city.save()
    assert selectors.city_for_display().phone == "0120-111-222"
    assert "0120-111-222" in client.get("/").content.decode()
