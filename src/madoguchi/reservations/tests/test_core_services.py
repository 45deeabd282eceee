"""The booking rules: eligibility, once per fiscal year, deadlines, refusals, move, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from madoguchi.core.models import MailboxMessage
from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, Slot
from madoguchi.reservations.services import BookingRefused

from . import factories as f

pytestmark = pytest.mark.django_db
JST = timezone.get_default_timezone()


def at(y, m, d, hh=10, mm=0):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm), JST)


def slot_at(svc, when, capacity=3, room=None):
    return Slot.objects.create(service=svc, room=room or f.room(), starts_at=when,
                               ends_at=when + dt.timedelta(minutes=30), capacity=capacity)


def refused(code, fn, *a, **kw):
    with pytest.raises(BookingRefused) as exc:
        fn(*a, **kw)
    assert exc.value.code == code, exc.value.message
    assert exc.value.message
    return exc.value


def test_full_slot_refused_and_seat_count_exact(demo):
    slot = f.slot(capacity=1)
    services.book(slot, person=f.person(1), request_token=f.token())
    refused("full", services.book, slot, person=f.person(2), request_token=f.token())
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_sex_and_age_rules(demo):
    svc = f.service(sex="female", min_age=40, age_reference="slot_date")
    slot = f.slot(svc)
    refused("ineligible_sex", services.book, slot, person=f.person(sex="male"),
            request_token=f.token())
    day = timezone.localtime(slot.starts_at).date()
    young = day.replace(year=day.year - 40) + dt.timedelta(days=2)
    refused("ineligible_age", services.book, slot, person=f.person(birth_date=young),
            request_token=f.token())
    ok = day.replace(year=day.year - 40) - dt.timedelta(days=1)
    assert services.book(slot, person=f.person(birth_date=ok), request_token=f.token())


def test_fiscal_year_end_age_reference():
    """年度末年齢: the age on 31 March; someone born on 1 April is already older that day."""
    svc = type("S", (), {"age_reference": "fiscal_year_end"})()
    # A slot in June 2026 belongs to fiscal 2026, which ends on 31 March 2027.
    assert services.reference_age(svc, dt.date(1987, 4, 1), dt.date(2026, 6, 1)) == 40
    assert services.reference_age(svc, dt.date(1987, 4, 2), dt.date(2026, 6, 1)) == 39
    assert services.age_on(dt.date(2000, 5, 10), dt.date(2026, 5, 9)) == 26  # legal rule
    assert services.age_on(dt.date(2000, 5, 10), dt.date(2026, 5, 8)) == 25


def test_one_per_fiscal_year_boundary_3_31_vs_4_1(demo):
    svc = f.service(one_per_fiscal_year=True, bookable_days_ahead=3650)
    room = f.room()
    now = at(2030, 1, 10)
    march = slot_at(svc, at(2030, 3, 31), room=room)
    april = slot_at(svc, at(2030, 4, 1), room=room)
    march2 = slot_at(svc, at(2030, 3, 30), room=room)
    person = f.person(5)
    services.book(march, person=person, request_token=f.token(), now=now)
    # 4/1 is the next fiscal year: allowed.
    services.book(april, person=person, request_token=f.token(), now=now)
    # Another in fiscal 2029 is refused, also with the name typed differently (width, kana).
    same = f.person(5, family_name="緑川 ", given_name="花子5")
    refused("limit", services.book, march2, person=same, request_token=f.token(), now=now)
    # After cancelling, booking in that fiscal year is possible again.
    services.cancel(Booking.objects.get(slot=march), now=now)
    services.book(march2, person=person, request_token=f.token(), now=now)


def test_limit_enforced_by_database_constraint(demo):
    from django.db import IntegrityError, transaction

    svc = f.service(one_per_fiscal_year=True)
    a = f.slot(svc, hour=9)
    b = f.slot(svc, hour=11)
    services.book(a, person=f.person(), request_token=f.token())
    first = Booking.objects.get(slot=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=b, service=svc, request_token=f.token(),
                               limit_key=first.limit_key, family_name="x", given_name="y")


def test_change_deadline_around_midnight_jst(demo):
    """Deadline "1 day before at 17:00": for a slot at 00:30 on the 11th, it is 17:00 on the
    10th; for 23:30 on the 10th it is 17:00 on the 9th (JST, not UTC)."""
    svc = f.service(change_deadline_days=1, change_deadline_time=dt.time(17, 0))
    assert svc.change_deadline(at(2030, 6, 11, 0, 30)) == at(2030, 6, 10, 17, 0)
    assert svc.change_deadline(at(2030, 6, 10, 23, 30)) == at(2030, 6, 9, 17, 0)
    svc.change_deadline_time = dt.time(23, 59)
    svc.change_deadline_days = 0
    # Same-day deadline never after the start.
    assert svc.change_deadline(at(2030, 6, 10, 9, 0)) == at(2030, 6, 10, 9, 0)


def test_deadline_blocks_resident_cancel_not_staff(demo, staff_user):
    svc = f.service(bookable_days_ahead=3650)
    slot = slot_at(svc, at(2030, 6, 11, 0, 30))
    booking = services.book(slot, person=f.person(), request_token=f.token(),
                            now=at(2030, 6, 1))
    refused("deadline", services.cancel, booking, now=at(2030, 6, 10, 17, 1))
    assert services.cancel(booking, now=at(2030, 6, 10, 16, 59)).status == "cancelled"
    booking2 = services.book(slot, person=f.person(2), request_token=f.token(),
                             now=at(2030, 6, 1))
    assert services.cancel(booking2, by=staff_user, now=at(2030, 6, 10, 23, 0)).status == \
        "cancelled"


def test_booking_refusals_not_open_closed_past_deadline(demo):
    svc = f.service(bookings_open_at=at(2030, 5, 1, 9, 0), bookable_days_ahead=3650)
    slot = slot_at(svc, at(2030, 6, 1))
    refused("not_open", services.book, slot, person=f.person(), request_token=f.token(),
            now=at(2030, 5, 1, 8, 59))
    assert services.book(slot, person=f.person(), request_token=f.token(),
                         now=at(2030, 5, 1, 9, 0))
    refused("deadline", services.book, slot, person=f.person(1), request_token=f.token(),
            now=at(2030, 5, 31, 17, 1))
    refused("past", services.book, slot, person=f.person(1), request_token=f.token(),
            now=at(2030, 6, 1, 10, 0))
    Slot.objects.filter(pk=slot.pk).update(status="closed")
    refused("closed", services.book, slot, person=f.person(1), request_token=f.token(),
            now=at(2030, 5, 2))


def test_move_takes_new_seat_before_releasing_old(demo):
    svc = f.service()
    room = f.room()
    a, b = f.slot(svc, r=room, hour=9, capacity=1), f.slot(svc, r=room, hour=11, capacity=1)
    booking = services.book(a, person=f.person(), request_token=f.token())
    other = services.book(b, person=f.person(1), request_token=f.token())
    refused("full", services.move, booking, b)
    assert Booking.objects.get(pk=booking.pk).slot_id == a.pk
    services.cancel(other)
    services.move(booking, b)
    assert Slot.objects.get(pk=a.pk).booked == 0 and Slot.objects.get(pk=b.pk).booked == 1


def test_confirmation_mail_and_reminder_once(demo, django_capture_on_commit_callbacks):
    svc = f.service(reminder_days_before=1, reminder_time=dt.time(18, 0))
    slot = f.slot(svc, days=5)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.book(slot, person=f.person(), request_token=f.token())
    assert MailboxMessage.objects.filter(to__icontains=booking.email).count() == 1
    day_before = timezone.localtime(slot.starts_at).date() - dt.timedelta(days=1)
    early = timezone.make_aware(dt.datetime.combine(day_before, dt.time(17, 59)), JST)
    due = timezone.make_aware(dt.datetime.combine(day_before, dt.time(18, 0)), JST)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=early) == 0
        assert services.send_due_reminders(now=due) == 1
        assert services.send_due_reminders(now=due + dt.timedelta(hours=1)) == 0
    mails = MailboxMessage.objects.filter(to__icontains=booking.email).order_by("id")
    assert mails.count() == 2
    assert booking.manage_token in mails.last().body


def test_ics_file(demo):
    from madoguchi.reservations.ics import booking_ics

    booking = services.book(f.slot(), person=f.person(), request_token=f.token())
    text = booking_ics(booking)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "STATUS:CONFIRMED" in text
    assert f"UID:{booking.public_id}@" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_upcoming_bookings_for(demo, resident):
    from madoguchi.reservations.selectors import upcoming_bookings_for

    mine = services.book(f.slot(), person=f.person(), user=resident, request_token=f.token())
    services.book(f.slot(), person=f.person(1), request_token=f.token())
    assert mine in list(upcoming_bookings_for(resident))
    assert all(b.user_id == resident.pk for b in upcoming_bookings_for(resident))


def test_reservation_clock_runs_reminders_and_expiry(demo):
    from madoguchi.reservations import tasks

    slot = f.slot(days=0, hour=23) if timezone.localtime().hour < 22 else f.slot(days=1)
    booking = services.book(slot, person=f.person(), request_token=f.token(), booked_by=None,
                            now=timezone.now() - dt.timedelta(days=3))
    tasks.reservation_clock.call()
    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None
    assert tasks.start_clock() is False  # the immediate backend in tests: nothing to schedule
