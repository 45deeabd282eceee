"""The waiting room in a real browser without JavaScript: queue, auto-refresh, admission."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from browser_support import screenshot_both, scroll_width
from django.utils import timezone
from playwright.sync_api import expect

from madoguchi.reservations import waiting_room as wr
from madoguchi.reservations.tests import factories as f

pytestmark = pytest.mark.browser


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The waiting room's clock (the live server runs in this process)."""
    c = Clock()
    monkeypatch.setattr(wr, "_now", c)
    wr.clear_caches()
    yield c
    wr.clear_caches()


def test_waiting_visitor_is_let_in_by_the_page_refreshing_itself(
    new_page, clock, settings, assert_accessible, artifacts_dir
) -> None:
    settings.RESERVATIONS_WAITING_ROOM_MAX_REFRESH_SECONDS = 2
    settings.RESERVATIONS_WAITING_ROOM_SNAPSHOT_SECONDS = 0
    service = f.service(bookings_open_at=clock.now, admission_per_minute=1)
    slot = f.slot(service)
    booking_path = f"/reservations/{service.code}/slot/{slot.pk}/"

    first = new_page(js=False)
    first.goto(booking_path)
    assert urlsplit(first.url).path == booking_path  # the first minute's visitor goes in
    expect(first.locator("form input[name=request_token]")).to_have_count(1)

    second = new_page(js=False)
    second.goto(booking_path)
    assert urlsplit(second.url).path == f"/reservations/waiting/{service.pk}/"
    expect(second.locator("html")).to_have_attribute("lang", "ja")
    expect(second.locator("h1")).to_have_text("順番待ち")
    expect(second.locator(".waiting-room__figures dd")).to_have_count(2)
    assert_accessible(second, "waiting room")
    screenshot_both(second, artifacts_dir, "reservations-waiting-room")
    second.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(second) <= 320
    # The "check now" link is a touch target of at least 44 px.
    box = second.locator("main a.button").first.bounding_box()
    assert box is not None and box["height"] >= 44

    # A minute later the page, reloading itself (no JavaScript), lands on the booking form.
    clock.now += dt.timedelta(minutes=1)
    expect(second.locator("form input[name=request_token]")).to_have_count(1, timeout=15_000)
    assert urlsplit(second.url).path == booking_path


def test_before_the_opening_and_with_automatic_checking_off(
    new_page, clock, assert_accessible, artifacts_dir
) -> None:
    service = f.service(bookings_open_at=clock.now + dt.timedelta(hours=2),
                        admission_per_minute=30)
    slot = f.slot(service)
    page = new_page(js=False)
    page.goto(f"/reservations/{service.code}/slot/{slot.pk}/")
    assert urlsplit(page.url).path == f"/reservations/waiting/{service.pk}/"
    expect(page.locator("h1")).to_have_text("まだ予約の受付を始めていません")
    expect(page.locator("main")).to_contain_text("予約の受付は令和")  # the time, |jdatetime
    assert_accessible(page, "before opening")
    screenshot_both(page, artifacts_dir, "reservations-waiting-room-before-opening")

    # In the queue, the visitor can turn automatic checking off and on again.
    service.bookings_open_at = clock.now - dt.timedelta(seconds=1)
    service.admission_per_minute = 1
    service.save()
    wr.clear_caches()
    for _ in range(2):  # the first visitor takes the first minute's place
        other = new_page(js=False)
        other.goto(f"/reservations/{service.code}/slot/{slot.pk}/")
    assert urlsplit(other.url).path == f"/reservations/waiting/{service.pk}/"
    with other.expect_navigation():
        other.locator('main a[href*="auto=0"]').click()
    assert "auto=0" in other.url
    expect(other.locator('main a[href*="auto=0"]')).to_have_count(1)  # "check now" keeps it off
    assert_accessible(other, "automatic checking off")
