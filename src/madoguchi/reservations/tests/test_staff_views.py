"""Staff reservation pages: roster, check-in, phone bookings, moving, cancelling, closing a
slot or a day, extra sessions, and who may see what (department isolation, roles)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.core.models import AuditEvent, MailboxMessage, User
from madoguchi.demo.accounts import staff_email
from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, ClosingDay, Slot, WaitlistEntry
from madoguchi.reservations.staff import forms as staff_forms
from madoguchi.reservations.staff import services as staff_services
from madoguchi.reservations.tests import factories as f
from madoguchi.staff.tests.helpers import member, staff_login

pytestmark = pytest.mark.django_db

CASE_ROLES = ("clerk", "approver", "head", "admin")


@pytest.fixture
def kenko_clerk(demo) -> User:
    return User.objects.get(email=staff_email("kenko1"))


@pytest.fixture
def clerk(kenko_clerk) -> Client:
    return staff_login(Client(), kenko_clerk)


@pytest.fixture
def other_clerk(demo) -> Client:
    return staff_login(Client(), User.objects.get(email=staff_email("kosodate1")))


@pytest.fixture
def service(demo):
    return f.service(capacity=3)


@pytest.fixture
def started_slot(service) -> Slot:
    """A slot that started a few minutes ago (so a no-show can be recorded)."""
    now = timezone.now()
    return Slot.objects.create(service=service, room=f.room(), starts_at=now - dt.timedelta(
        minutes=5), ends_at=now + dt.timedelta(minutes=25), capacity=3)


@pytest.fixture
def future_slot(service) -> Slot:
    return f.slot(service, days=3, hour=10, capacity=2)


def book_in(slot: Slot, n: int = 0, **kw) -> Booking:
    """A booking made as staff would (a started slot cannot be booked otherwise)."""
    if slot.starts_at <= timezone.now():
        booking = services.book(Slot.objects.get(pk=slot.pk), person=f.person(n, **kw),
                                request_token=f.token(), now=slot.starts_at
                                - dt.timedelta(hours=1),
                                booked_by=User.objects.get(email=staff_email("kenko1")))
    else:
        booking = services.book(slot, person=f.person(n, **kw), request_token=f.token())
    return booking


def roster_path(slot: Slot) -> str:
    return f"/staff/reservations/?date={timezone.localtime(slot.starts_at).date():%Y-%m-%d}"


# --- roster -------------------------------------------------------------------------------

def test_roster_lists_the_days_bookings_and_is_audit_logged(clerk, started_slot, kenko_clerk):
    booking = book_in(started_slot, 1)
    response = clerk.get(roster_path(started_slot))
    assert response.status_code == 200
    text = response.content.decode()
    assert booking.family_name in text and f"booking-{booking.public_id}" in text
    assert "090-1234-567" in text or booking.phone in text
    event = AuditEvent.objects.filter(action="reservation.roster.view", actor=kenko_clerk).get()
    day = timezone.localtime(started_slot.starts_at).date()
    shown = Booking.objects.filter(service__department=started_slot.service.department,
                                   slot__starts_at__date=day).count()
    assert shown >= 1 and event.details["bookings"] == shown  # the demo may book that day too


def test_roster_with_a_bad_date_shows_today_and_says_so(clerk):
    response = clerk.get("/staff/reservations/?date=令和8年13月40日")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


def test_roster_of_another_department_does_not_show_the_bookings(other_clerk, started_slot):
    booking = book_in(started_slot, 1)
    response = other_clerk.get(roster_path(started_slot))
    assert response.status_code == 200
    assert str(booking.public_id) not in response.content.decode()


# --- department isolation and roles -------------------------------------------------------

def test_another_department_gets_404_on_every_booking_and_slot_page(other_clerk, started_slot,
                                                                     future_slot):
    booking = book_in(future_slot, 2)
    gets = [f"/staff/reservations/bookings/{booking.public_id}/",
            f"/staff/reservations/bookings/{booking.public_id}/move/",
            f"/staff/reservations/bookings/{booking.public_id}/cancel/",
            f"/staff/reservations/slots/{future_slot.pk}/book/",
            f"/staff/reservations/slots/{future_slot.pk}/close/"]
    for path in gets:
        assert other_clerk.get(path).status_code == 404, path
    posts = {f"/staff/reservations/bookings/{booking.public_id}/check-in/": {"action": "attended"},
             f"/staff/reservations/bookings/{booking.public_id}/move/": {"slot": started_slot.pk},
             f"/staff/reservations/bookings/{booking.public_id}/cancel/": {"reason": "x"},
             f"/staff/reservations/slots/{future_slot.pk}/close/": {"reason": "x"},
             f"/staff/reservations/slots/{future_slot.pk}/book/": {"family_name": "x"}}
    for path, data in posts.items():
        assert other_clerk.post(path, data).status_code == 404, path
    booking.refresh_from_db()
    future_slot.refresh_from_db()
    assert booking.status == "confirmed" and future_slot.status == "open"
    assert future_slot.booked == 1


def test_another_department_cannot_add_a_session_or_close_our_venue(other_clerk, service,
                                                                    future_slot):
    day = timezone.localtime(future_slot.starts_at).date()
    response = other_clerk.post("/staff/reservations/sessions/new/", {
        "service": service.code, "room": future_slot.room_id, "day": day.isoformat(),
        "start": "13:00", "end": "14:00"})
    assert response.status_code == 400  # not among its choices
    response = other_clerk.post("/staff/reservations/close-day/", {
        "venue": future_slot.room.venue.code, "day": day.isoformat(), "reason": "x",
        "confirm": "yes"})
    assert response.status_code == 400
    future_slot.refresh_from_db()
    assert future_slot.status == "open"
    assert not ClosingDay.objects.filter(venue=future_slot.room.venue).exists()


@pytest.mark.parametrize("role", CASE_ROLES + ("dx",))
def test_roles(role, future_slot):
    client = staff_login(Client(), member(role, "kenko"))
    booking = book_in(future_slot, 3)
    pages = ["/staff/reservations/", f"/staff/reservations/bookings/{booking.public_id}/",
             "/staff/reservations/export/", "/staff/reservations/sessions/new/",
             "/staff/reservations/close-day/",
             f"/staff/reservations/slots/{future_slot.pk}/book/"]
    expected = 403 if role == "dx" else 200
    for path in pages:
        assert client.get(path).status_code == expected, (role, path)
    assert client.get("/staff/reservations/utilisation/").status_code == 200


def test_residents_and_anonymous_visitors_are_kept_out(resident, future_slot):
    from madoguchi.conftest import client_for

    booking = book_in(future_slot, 4)
    path = f"/staff/reservations/bookings/{booking.public_id}/"
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and "/staff/login/" in anonymous["Location"]
    assert client_for(resident).get(path).status_code == 403


# --- booking page, check-in ---------------------------------------------------------------

def test_viewing_a_booking_is_audit_logged(clerk, future_slot, kenko_clerk):
    booking = book_in(future_slot, 5)
    response = clerk.get(f"/staff/reservations/bookings/{booking.public_id}/")
    assert response.status_code == 200
    assert booking.email in response.content.decode()
    assert AuditEvent.objects.filter(action="reservation.booking.view.staff",
                                     target_id=str(booking.public_id), actor=kenko_clerk).exists()


def test_check_in_attended_then_no_show_then_undo(clerk, started_slot):
    booking = book_in(started_slot, 6)
    url = f"/staff/reservations/bookings/{booking.public_id}/check-in/"
    response = clerk.post(url, {"action": "attended", "back": "date=2026-01-01"})
    assert response.status_code == 302 and f"#booking-{booking.public_id}" in response["Location"]
    assert "date=2026-01-01" in response["Location"]
    booking.refresh_from_db()
    assert booking.status == "attended" and booking.checked_in_at is not None
    clerk.post(url, {"action": "no_show"})
    booking.refresh_from_db()
    assert booking.status == "no_show" and booking.checked_in_at is None
    clerk.post(url, {"action": "undo"})
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert AuditEvent.objects.filter(action="reservation.check_in",
                                     target_id=str(booking.public_id)).count() == 3


def test_no_show_before_the_time_and_check_in_before_the_day_are_refused(clerk, future_slot):
    booking = book_in(future_slot, 7)
    url = f"/staff/reservations/bookings/{booking.public_id}/check-in/"
    for action in ("no_show", "attended", "nonsense"):
        response = clerk.post(url, {"action": action}, follow=True)
        assert response.status_code == 200
        booking.refresh_from_db()
        assert booking.status == "confirmed", action
    assert not AuditEvent.objects.filter(action="reservation.check_in").exists()


def test_a_cancelled_booking_cannot_be_checked_in(clerk, started_slot, kenko_clerk):
    booking = book_in(started_slot, 8)
    services.cancel(booking, by=kenko_clerk)
    clerk.post(f"/staff/reservations/bookings/{booking.public_id}/check-in/",
               {"action": "attended"})
    booking.refresh_from_db()
    assert booking.status == "cancelled"


# --- phone booking ------------------------------------------------------------------------

PHONE_POST = {"family_name": "髙橋", "given_name": "𠮷男", "family_kana": "たかはし",
              "given_kana": "ﾖｼｵ", "birth_date": "", "phone": "０９０－１１１１－２２２２",
              "email": ""}


def test_phone_booking_uses_the_phone_channel_and_skips_the_waiting_room(
        clerk, kenko_clerk, service, future_slot, monkeypatch):
    service.admission_per_minute = 1  # a rush: residents would meet the waiting room
    service.bookings_open_at = timezone.now() + dt.timedelta(days=30)  # not open to residents
    service.save()

    def no_gate(*args, **kwargs):
        raise AssertionError("staff bookings must not pass the waiting room")

    monkeypatch.setattr("madoguchi.reservations.views.gate", no_gate)
    monkeypatch.setattr("madoguchi.reservations.waiting_room.gate", no_gate)
    page = clerk.get(f"/staff/reservations/slots/{future_slot.pk}/book/")
    assert page.status_code == 200
    token = page.context["form"].initial["request_token"]
    data = {**PHONE_POST, "request_token": token}
    response = clerk.post(f"/staff/reservations/slots/{future_slot.pk}/book/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get(slot=future_slot)
    assert booking.channel == "phone" and booking.booked_by == kenko_clerk
    assert booking.family_kana == "タカハシ" and booking.phone == "09011112222"
    assert booking.given_name == "𠮷男"
    # The same form posted twice (double click) books once.
    clerk.post(f"/staff/reservations/slots/{future_slot.pk}/book/", data)
    assert Booking.objects.filter(slot=future_slot).count() == 1
    assert AuditEvent.objects.filter(action="reservation.book.phone").count() == 1


def test_phone_booking_errors_are_shown_next_to_the_fields(clerk, future_slot):
    response = clerk.post(f"/staff/reservations/slots/{future_slot.pk}/book/",
                          {"request_token": "staff:x", "phone": "12"})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="error-summary"' in text and 'aria-invalid="true"' in text
    assert not Booking.objects.filter(slot=future_slot).exists()


def test_phone_booking_of_a_full_slot_says_so(clerk, future_slot):
    book_in(future_slot, 1)
    book_in(future_slot, 2)
    response = clerk.post(f"/staff/reservations/slots/{future_slot.pk}/book/",
                          {**PHONE_POST, "request_token": "staff:full"})
    assert response.status_code == 400
    assert Booking.objects.filter(slot=future_slot).count() == 2


def test_phone_booking_asks_for_the_birth_date_when_the_service_has_age_rules(clerk, service,
                                                                             future_slot):
    service.min_age = 40
    service.save()
    response = clerk.post(f"/staff/reservations/slots/{future_slot.pk}/book/",
                          {**PHONE_POST, "request_token": "staff:age"})
    assert response.status_code == 400
    assert "birth_date" in response.context["form"].errors


# --- move and cancel ----------------------------------------------------------------------

def test_move_to_another_time(clerk, service, future_slot, django_capture_on_commit_callbacks):
    booking = book_in(future_slot, 9)
    target = f.slot(service, days=4, hour=14, capacity=2)
    page = clerk.get(f"/staff/reservations/bookings/{booking.public_id}/move/")
    assert page.status_code == 200 and f'value="{target.pk}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"/staff/reservations/bookings/{booking.public_id}/move/",
                              {"slot": target.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.slot_id == target.pk
    future_slot.refresh_from_db()
    target.refresh_from_db()
    assert (future_slot.booked, target.booked) == (0, 1)
    assert AuditEvent.objects.filter(action="reservation.move").get().details == {
        "from_slot": future_slot.pk, "to_slot": target.pk}


def test_move_to_a_slot_of_another_service_is_refused(clerk, future_slot):
    booking = book_in(future_slot, 10)
    elsewhere = f.slot(f.service(), days=4)
    response = clerk.post(f"/staff/reservations/bookings/{booking.public_id}/move/",
                          {"slot": elsewhere.pk})
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.slot_id == future_slot.pk


def test_cancel_asks_once_then_cancels(clerk, future_slot):
    booking = book_in(future_slot, 11)
    page = clerk.get(f"/staff/reservations/bookings/{booking.public_id}/cancel/")
    assert booking.family_name in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    response = clerk.post(f"/staff/reservations/bookings/{booking.public_id}/cancel/",
                          {"reason": "電話で取消し"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancel_reason == "電話で取消し"
    assert AuditEvent.objects.filter(action="reservation.cancel.staff").exists()


# --- junk input ---------------------------------------------------------------------------

JUNK = ["²", "abc", "-1", "\x00", "9" * 40, "１２", ""]


@pytest.mark.parametrize("value", JUNK)
def test_a_junk_move_target_gets_a_japanese_message_not_a_500(clerk, future_slot, value):
    booking = book_in(future_slot, 20)
    response = clerk.post(f"/staff/reservations/bookings/{booking.public_id}/move/",
                          {"slot": value})
    assert response.status_code == 400
    assert "変更先の時間を選んでください。" in response.content.decode()
    booking.refresh_from_db()
    assert booking.slot_id == future_slot.pk
    assert not AuditEvent.objects.filter(action="reservation.move").exists()


def test_junk_check_in_action_and_capacity_get_japanese_messages(clerk, service, future_slot):
    booking = book_in(future_slot, 21)
    response = clerk.post(f"/staff/reservations/bookings/{booking.public_id}/check-in/",
                          {"action": "²"}, follow=True)
    assert response.status_code == 200
    assert "「来場」か「来場なし」を選んでください。" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    day = timezone.localdate() + dt.timedelta(days=5)
    response = clerk.post("/staff/reservations/sessions/new/", {
        "service": service.code, "room": future_slot.room_id, "day": day.isoformat(),
        "start": "13:00", "end": "14:00", "capacity": "²"})
    assert response.status_code == 400
    assert "1枠あたりの定員を数字で入力してください。" in response.content.decode()
    response = clerk.post("/staff/reservations/sessions/new/", {
        "service": service.code, "room": "²", "day": day.isoformat(),
        "start": "13:00", "end": "14:00"})
    assert response.status_code == 400
    assert not Slot.objects.filter(source="extra").exists()


def test_a_cancel_reason_with_nul_and_line_breaks_is_kept_on_one_line(clerk, future_slot):
    booking = book_in(future_slot, 22)
    response = clerk.post(f"/staff/reservations/bookings/{booking.public_id}/cancel/",
                          {"reason": "電話\x00で\r\n  取消し" + "あ" * 500})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.cancel_reason == ("電話で 取消し" + "あ" * 500)[:200]
    event = AuditEvent.objects.filter(action="reservation.cancel.staff").get()
    assert event.details["reason"] == booking.cancel_reason


# --- closing a slot -----------------------------------------------------------------------

def test_closing_a_slot_cancels_the_bookings_and_tells_each_person(
        clerk, future_slot, django_capture_on_commit_callbacks):
    first = book_in(future_slot, 12)
    second = book_in(future_slot, 13, email="")  # booked with no e-mail: nobody to write to
    MailboxMessage.objects.all().delete()
    page = clerk.get(f"/staff/reservations/slots/{future_slot.pk}/close/")
    assert page.status_code == 200
    assert first.family_name in page.content.decode()
    future_slot.refresh_from_db()
    assert future_slot.status == "open"  # asking changed nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"/staff/reservations/slots/{future_slot.pk}/close/",
                              {"reason": "医師の急病のため"})
    assert response.status_code == 302
    future_slot.refresh_from_db()
    assert future_slot.status == "closed" and future_slot.booked == 0
    assert future_slot.closed_reason["ja"] == "医師の急病のため"
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.status == "cancelled" and booking.cancel_reason == "医師の急病のため"
    mail = MailboxMessage.objects.get()  # one notice, not a second generic one
    assert mail.to == first.email
    assert "医師の急病のため" in mail.body
    assert f"/reservations/{future_slot.service.code}/" in mail.body
    event = AuditEvent.objects.get(action="reservation.slot.close")
    assert set(event.details["cancelled"]) == {str(first.public_id), str(second.public_id)}


def test_closing_needs_a_reason_and_cannot_close_twice(clerk, future_slot):
    book_in(future_slot, 14)
    response = clerk.post(f"/staff/reservations/slots/{future_slot.pk}/close/", {"reason": " "})
    assert response.status_code == 400
    future_slot.refresh_from_db()
    assert future_slot.status == "open"
    clerk.post(f"/staff/reservations/slots/{future_slot.pk}/close/", {"reason": "休診"})
    response = clerk.post(f"/staff/reservations/slots/{future_slot.pk}/close/", {"reason": "再"})
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="reservation.slot.close").count() == 1


def test_closing_a_full_slot_tells_the_waiting_list_too(future_slot, kenko_clerk,
                                                        django_capture_on_commit_callbacks):
    book_in(future_slot, 15)
    book_in(future_slot, 16)
    entry = services.join_waitlist(future_slot, person=f.person(17), request_token=f.token())
    MailboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        result = staff_services.close_slot(future_slot, by=kenko_clerk, reason="会場の都合")
    assert len(result.cancelled) == 2 and [e.pk for e in result.withdrawn] == [entry.pk]
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WITHDRAWN
    assert MailboxMessage.objects.filter(to=entry.email, body__contains="会場の都合").exists()
    assert MailboxMessage.objects.count() == 3


def test_closing_a_day_closes_the_venue_and_records_the_closing_day(
        clerk, service, future_slot, django_capture_on_commit_callbacks):
    booking = book_in(future_slot, 18)
    later = f.slot(service, days=3, hour=11, r=future_slot.room)
    day = timezone.localtime(future_slot.starts_at).date()
    venue = future_slot.room.venue
    data = {"venue": venue.code, "day": day.isoformat(), "reason": "ボイラー故障"}
    confirm = clerk.post("/staff/reservations/close-day/", data)
    assert confirm.status_code == 200
    assert "ボイラー故障" in confirm.content.decode()
    future_slot.refresh_from_db()
    assert future_slot.status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post("/staff/reservations/close-day/", {**data, "confirm": "yes"})
    assert response.status_code == 302
    for slot in (future_slot, later):
        slot.refresh_from_db()
        assert slot.status == "closed"
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert ClosingDay.objects.filter(venue=venue, date=day).exists()
    assert MailboxMessage.objects.filter(to=booking.email, body__contains="ボイラー故障").exists()


# --- extra sessions -----------------------------------------------------------------------

def test_add_an_extra_session(clerk, service, future_slot):
    day = timezone.localdate() + dt.timedelta(days=5)
    response = clerk.post("/staff/reservations/sessions/new/", {
        "service": service.code, "room": future_slot.room_id, "day": day.isoformat(),
        "start": "１３：００", "end": "14時00分", "capacity": "4"})
    assert response.status_code == 302
    slots = Slot.objects.filter(service=service, source="extra").order_by("starts_at")
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in slots] == ["13:00",
                                                                                  "13:30"]
    assert all(s.capacity == 4 for s in slots)
    assert AuditEvent.objects.filter(action="reservation.session.add").exists()


@pytest.mark.parametrize("start,end", [("14:00", "13:00"), ("25:00", "26:00"), ("x", "y"),
                                       ("13:00", "13:10")])
def test_extra_session_with_bad_times_is_refused(clerk, service, future_slot, start, end):
    day = timezone.localdate() + dt.timedelta(days=5)
    response = clerk.post("/staff/reservations/sessions/new/", {
        "service": service.code, "room": future_slot.room_id, "day": day.isoformat(),
        "start": start, "end": end})
    assert response.status_code == 400
    assert not Slot.objects.filter(source="extra").exists()


def test_time_of_day_field():
    field = staff_forms.TimeOfDayField()
    assert field.clean("9:05") == dt.time(9, 5)
    assert field.clean("０９：３０") == dt.time(9, 30)
    assert field.clean("13時00分") == dt.time(13, 0)


def test_unknown_ids_are_404(clerk):
    assert clerk.get(f"/staff/reservations/bookings/{uuid.uuid4()}/").status_code == 404
    assert clerk.get("/staff/reservations/slots/999999/close/").status_code == 404
