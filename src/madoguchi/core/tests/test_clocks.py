"""Clocks: ``serve`` starts every periodic task the apps registered, without importing them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from madoguchi.core.clocks import clocks, start_clocks
from madoguchi.reservations import tasks


def test_reservations_register_their_clock():
    assert clocks["reservations"] is tasks.start_clock


@pytest.mark.django_db
def test_start_clocks_starts_every_enabled_clock():
    started: list[str] = []

    def fake_clock() -> bool:
        started.append("fake")
        return True

    with clocks.temporary("fake", fake_clock):
        assert start_clocks()["fake"] is True
        assert started == ["fake"]
        with override_settings(MADOGUCHI_DISABLED_PLUGINS={"clocks": ["fake"]}):
            assert "fake" not in start_clocks()
        assert started == ["fake"]


@pytest.mark.django_db
def test_the_start_clocks_command_says_what_it_queued():
    answers = iter([True, False])
    with clocks.temporary("fake", lambda: next(answers)):
        out = io.StringIO()
        call_command("start_clocks", stdout=out)
        assert "fake: queued" in out.getvalue()
        out = io.StringIO()
        call_command("start_clocks", stdout=out)
        assert "fake: already queued" in out.getvalue()
