"""The staff services on their own (rules around time), and the roster's query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.core.models import User
from madoguchi.demo.accounts import staff_email
from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, ClosingDay, Slot
from madoguchi.reservations.staff import selectors as staff_selectors
from madoguchi.reservations.staff import services as staff_services
from madoguchi.reservations.staff.services import StaffActionRefused
from madoguchi.reservations.tests import factories as f
from madoguchi.staff.models import Department
from madoguchi.staff.tests.helpers import staff_login

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture
def clerk(demo) -> User:
    return User.objects.get(email=staff_email("kenko1"))


def _slot_at(service, starts_at: dt.datetime, room=None, capacity: int = 3) -> Slot:
    return Slot.objects.create(service=service, room=room or f.room(), starts_at=starts_at,
                               ends_at=starts_at + dt.timedelta(minutes=30), capacity=capacity)


def _booking(slot: Slot, clerk: User, n: int = 0) -> Booking:
    return services.book(slot, person=f.person(n), request_token=f.token(), booked_by=clerk,
                         now=slot.starts_at - dt.timedelta(days=2))


def test_check_in_follows_the_day_in_japan_not_utc(clerk):
    """09:00 JST on 5 December is 00:00 UTC: at 23:30 UTC on the 4th it is already the 5th
    in Japan, so check-in is open; at 14:00 UTC on the 4th (23:00 JST) it is not."""
    slot = _slot_at(f.service(), dt.datetime(2027, 12, 5, 9, 0, tzinfo=JST))
    booking = _booking(slot, clerk)
    with pytest.raises(StaffActionRefused) as refused:
        staff_services.check_in(booking, attended=True, by=clerk,
                                now=dt.datetime(2027, 12, 4, 14, 0, tzinfo=dt.UTC))
    assert refused.value.code == "too_early"
    marked = staff_services.check_in(booking, attended=True, by=clerk,
                                     now=dt.datetime(2027, 12, 4, 23, 30, tzinfo=dt.UTC))
    assert marked.status == Booking.Status.ATTENDED
    assert marked.checked_in_at == dt.datetime(2027, 12, 4, 23, 30, tzinfo=dt.UTC)


def test_no_show_only_once_the_time_has_started(clerk):
    start = dt.datetime(2027, 12, 6, 10, 0, tzinfo=JST)
    booking = _booking(_slot_at(f.service(), start), clerk)
    with pytest.raises(StaffActionRefused):
        staff_services.check_in(booking, attended=False, by=clerk,
                                now=start - dt.timedelta(minutes=1))
    marked = staff_services.check_in(booking, attended=False, by=clerk, now=start)
    assert marked.status == Booking.Status.NO_SHOW and marked.checked_in_at is None


def test_undo_needs_a_mark(clerk):
    booking = _booking(f.slot(f.service(), days=3), clerk)
    with pytest.raises(StaffActionRefused):
        staff_services.undo_check_in(booking, by=clerk)


def test_closing_a_slot_that_is_over_is_refused(clerk):
    slot = _slot_at(f.service(), timezone.now() - dt.timedelta(hours=2))
    with pytest.raises(StaffActionRefused) as refused:
        staff_services.close_slot(slot, by=clerk, reason="x")
    assert refused.value.code == "past"
    slot.refresh_from_db()
    assert slot.status == Slot.Status.OPEN


def test_closing_a_slot_keeps_attended_people_and_their_place(clerk):
    now = timezone.now()
    slot = _slot_at(f.service(), now - dt.timedelta(minutes=10))
    came = _booking(slot, clerk, 1)
    waiting = _booking(slot, clerk, 2)
    staff_services.check_in(came, attended=True, by=clerk)
    result = staff_services.close_slot(slot, by=clerk, reason="午後は中止")
    assert [b.pk for b in result.cancelled] == [waiting.pk]
    came.refresh_from_db()
    assert came.status == Booking.Status.ATTENDED
    assert result.slot.booked == 1 and result.slot.status == Slot.Status.CLOSED


def test_a_closed_slot_cannot_be_booked_any_more(clerk):
    slot = f.slot(f.service(), days=3)
    staff_services.close_slot(slot, by=clerk, reason="休診")
    with pytest.raises(services.BookingRefused):
        services.book(slot, person=f.person(3), request_token=f.token(), booked_by=clerk)


def test_close_day_of_a_past_day_is_refused(clerk):
    venue = f.venue()
    with pytest.raises(StaffActionRefused):
        staff_services.close_day(venue, timezone.localdate() - dt.timedelta(days=1), by=clerk,
                                 reason="x", department_id=venue.department_id)
    assert not ClosingDay.objects.filter(venue=venue).exists()


def test_close_day_leaves_other_departments_services_alone(clerk):
    room = f.room()
    ours = f.slot(f.service(), days=4, r=room)
    other_service = f.service(department=Department.objects.get(code="kosodate"))
    theirs = f.slot(other_service, days=4, hour=11, r=room)
    day = timezone.localtime(ours.starts_at).date()
    results = staff_services.close_day(room.venue, day, by=clerk, reason="停電",
                                       department_id=room.venue.department_id)
    assert [r.slot.pk for r in results] == [ours.pk]
    theirs.refresh_from_db()
    assert theirs.status == Slot.Status.OPEN


@pytest.mark.parametrize("days,start,end,capacity,code", [
    (-1, dt.time(10), dt.time(11), None, "past"),
    (400, dt.time(10), dt.time(11), None, "far"),
    (3, dt.time(11), dt.time(10), None, "band"),
    (3, dt.time(10), dt.time(10, 20), None, "short"),
    (3, dt.time(10), dt.time(11), 0, "capacity"),
])
def test_extra_session_rules(clerk, days, start, end, capacity, code):
    service = f.service()
    with pytest.raises(StaffActionRefused) as refused:
        staff_services.add_extra_session(service, room=f.room(),
                                         day=timezone.localdate() + dt.timedelta(days=days),
                                         start=start, end=end, capacity=capacity, by=clerk)
    assert refused.value.code == code


def test_extra_session_in_another_departments_room_is_refused(clerk):
    service = f.service()
    room = f.room(f.venue(department=Department.objects.get(code="kosodate")))
    with pytest.raises(StaffActionRefused) as refused:
        staff_services.add_extra_session(service, room=room,
                                         day=timezone.localdate() + dt.timedelta(days=3),
                                         start=dt.time(10), end=dt.time(11), capacity=None,
                                         by=clerk)
    assert refused.value.code == "room"


def test_extra_session_keeps_existing_times(clerk):
    service = f.service()
    existing = f.slot(service, days=3, hour=10)
    created = staff_services.add_extra_session(
        service, room=existing.room, day=timezone.localtime(existing.starts_at).date(),
        start=dt.time(10), end=dt.time(11), capacity=None, by=clerk)
    assert len(created) == 1 and created[0].pk != existing.pk


def test_roster_reads_do_not_grow_with_the_number_of_slots(clerk):
    service = f.service(capacity=5)
    room = f.room()

    def queries(slots: int) -> int:
        day = timezone.localdate() + dt.timedelta(days=slots)
        for hour in range(slots):
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(8 + hour % 12,
                                                                          hour // 12 * 30)))
            slot = _slot_at(service, start, room, capacity=5)
            for n in range(3):
                _booking(slot, clerk, n)
        client = staff_login(Client(), clerk)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/staff/reservations/?date={day.isoformat()}"
                                  f"&service={service.code}")
        assert response.status_code == 200
        assert len(response.context["groups"][0].slots) == slots
        return len(captured)

    queries(1)  # the first page of a test also reads the city for the page chrome (cached)
    assert queries(2) == queries(10)


def test_move_targets_are_open_future_slots_with_room(clerk):
    service = f.service()
    booking = _booking(f.slot(service, days=2), clerk)
    free = f.slot(service, days=3, capacity=1)
    full = f.slot(service, days=3, hour=11, capacity=1)
    _booking(full, clerk, 5)
    closed = f.slot(service, days=3, hour=12)
    staff_services.close_slot(closed, by=clerk, reason="x")
    other = f.slot(f.service(), days=3)
    targets = staff_selectors.move_targets(booking)
    assert free in targets
    assert full not in targets and closed not in targets and other not in targets
