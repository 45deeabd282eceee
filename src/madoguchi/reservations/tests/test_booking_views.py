"""The resident booking pages, driven through the test client (no JavaScript)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from madoguchi.conftest import client_for
from madoguchi.core.models import MailboxMessage
from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, Slot, WaitlistEntry

from . import factories as f

pytestmark = pytest.mark.django_db

DETAILS = {"family_name": "緑川", "given_name": "花子", "family_kana": "みどりかわ",
           "given_kana": "ﾊﾅｺ", "birth_date": "昭和45年5月1日", "sex": "female",
           "phone": "０９０－１２３４－５６７８", "email": "hanako@example.jp"}


def _token(client, url):
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="request_token" value="([^"]+)"', page.content.decode()).group(1)


def test_index_calendar_and_day_pages_render(client, demo):
    slot = f.slot(capacity=2)
    service = slot.service
    assert service.code in client.get(reverse("reservations:index")).content.decode()
    month = timezone.localtime(slot.starts_at).strftime("%Y-%m")
    page = client.get(reverse("reservations:calendar", args=[service.code]) + f"?month={month}")
    assert page.status_code == 200
    day = reverse("reservations:day",
                  args=[service.code, f"{timezone.localtime(slot.starts_at).date()}"])
    assert day in page.content.decode()
    page = client.get(day)
    assert reverse("reservations:book", args=[service.code, slot.pk]) in page.content.decode()


def test_booking_without_javascript_and_double_post(client, demo,
                                                    django_capture_on_commit_callbacks):
    slot = f.slot(capacity=2)
    url = reverse("reservations:book", args=[slot.service.code, slot.pk])
    token = _token(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {**DETAILS, "request_token": token})
    assert first.status_code == 302
    second = client.post(url, {**DETAILS, "request_token": token})
    assert second["Location"] == first["Location"]
    assert Booking.objects.filter(slot=slot).count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1
    booking = Booking.objects.get(slot=slot)
    assert booking.family_kana == "ミドリカワ" and booking.phone == "09012345678"
    page = client.get(first["Location"])
    assert "ご予約が確定しました" in page.content.decode() or "confirmed" in page.content.decode()
    mail = MailboxMessage.objects.filter(to__icontains="hanako@example.jp").last()
    assert mail is not None and str(booking.public_id) in mail.body
    ics = client.get(reverse("reservations:ics", args=[booking.public_id, booking.manage_token]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content


def test_errors_are_shown_next_to_fields(client, demo):
    slot = f.slot()
    url = reverse("reservations:book", args=[slot.service.code, slot.pk])
    token = _token(client, url)
    page = client.post(url, {**DETAILS, "birth_date": "あした", "phone": "12",
                             "request_token": token})
    assert page.status_code == 400
    text = page.content.decode()
    assert 'id="error-summary"' in text and 'aria-invalid="true"' in text
    assert not Booking.objects.filter(slot=slot).exists()


def test_full_slot_gets_a_clear_message_and_then_a_waitlist(client, demo):
    slot = f.slot(capacity=1)
    url = reverse("reservations:book", args=[slot.service.code, slot.pk])
    token = _token(client, url)
    services.book(slot, person=f.person(9), request_token=f.token())
    page = client.post(url, {**DETAILS, "request_token": token})
    assert page.status_code == 409
    assert 'name="waitlist" value="1"' in page.content.decode()
    page = client.post(url, {**DETAILS, "request_token": f.token(), "waitlist": "1"})
    assert page.status_code == 302
    entry = WaitlistEntry.objects.get(slot=slot)
    assert entry.status == "waiting"


@pytest.mark.parametrize("kind", ["past", "closed"])
def test_past_or_closed_slot_refused_without_500(client, demo, kind):
    slot = f.slot(days=-1 if kind == "past" else 5,
                  status="closed" if kind == "closed" else "open")
    url = reverse("reservations:book", args=[slot.service.code, slot.pk])
    page = client.post(url, {**DETAILS, "request_token": f.token()})
    assert page.status_code == 409
    assert 'id="error-summary"' in page.content.decode()
    assert not Booking.objects.exists() or not Booking.objects.filter(slot=slot).exists()


def test_manage_cancel_and_change(client, demo):
    svc = f.service()
    room = f.room()
    a, b = f.slot(svc, r=room, hour=9), f.slot(svc, r=room, hour=11)
    booking = services.book(a, person=f.person(), request_token=f.token())
    manage = reverse("reservations:manage", args=[booking.public_id, booking.manage_token])
    assert client.get(manage).status_code == 200
    wrong = reverse("reservations:manage", args=[booking.public_id, "nope"])
    assert client.get(wrong).status_code == 404
    change = reverse("reservations:change", args=[booking.public_id, booking.manage_token])
    assert client.post(change, {"slot": "x"}).status_code == 400
    assert client.post(change, {"slot": b.pk}).status_code == 302
    booking.refresh_from_db()
    assert booking.slot_id == b.pk
    assert Slot.objects.get(pk=a.pk).booked == 0 and Slot.objects.get(pk=b.pk).booked == 1
    cancel = reverse("reservations:cancel", args=[booking.public_id, booking.manage_token])
    assert client.get(cancel).status_code == 200
    assert client.post(cancel).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled" and Slot.objects.get(pk=b.pk).booked == 0


def test_my_reservations_lists_own_bookings(resident, other_resident, demo):
    slot = f.slot()
    services.book(slot, person=f.person(), user=resident, request_token=f.token())
    page = client_for(resident).get(reverse("reservations:my"))
    assert page.status_code == 200 and str(slot.service.name["ja"]) in page.content.decode()
    other = client_for(other_resident).get(reverse("reservations:my"))
    assert str(slot.service.name["ja"]) not in other.content.decode()


def test_ineligible_person_gets_a_clear_message(client, demo):
    svc = f.service(sex="female", min_age=40)
    slot = f.slot(svc)
    url = reverse("reservations:book", args=[svc.code, slot.pk])
    page = client.post(url, {**DETAILS, "sex": "male", "request_token": f.token()})
    assert page.status_code == 409
    assert "women" in page.content.decode() or "女性" in page.content.decode()
    assert not Booking.objects.filter(slot=slot).exists()


def test_unknown_slot_or_bad_day_is_404_not_500(client, demo):
    slot = f.slot()
    code = slot.service.code
    assert client.get(reverse("reservations:book", args=[code, 999999])).status_code == 404
    assert client.get(reverse("reservations:day", args=[code, "2026-13-40"])).status_code == 404
    assert client.get(reverse("reservations:calendar", args=[code]) + "?month=x").status_code \
        == 200


HOSTILE = ["", " ", "\x00", "9" * 40, "-1", "<script>x</script>", "令和999年1月1日", "あ" * 300,
           "１２３", "0000-00-00", "{}", "on"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_posts_never_500(client, demo, value):
    slot = f.slot()
    url = reverse("reservations:book", args=[slot.service.code, slot.pk])
    for name in ["family_name", "given_kana", "birth_date", "sex", "phone", "email",
                 "request_token", "waitlist"]:
        response = client.post(url, {**DETAILS, "request_token": f.token(), name: value})
        assert response.status_code in (302, 400, 409), (name, value, response.status_code)
    booking = services.book(f.slot(), person=f.person(), request_token=f.token())
    change = reverse("reservations:change", args=[booking.public_id, booking.manage_token])
    assert client.post(change, {"slot": value}).status_code in (400, 409)
    assert client.get(f"/reservations/{slot.service.code}/slot/{'9' * 30}/").status_code == 404


def test_day_page_marks_times_past_the_online_deadline(client, demo):
    svc = f.service(change_deadline_days=1)
    soon = f.slot(svc, days=0, hour=23)
    later = f.slot(svc, days=5)
    page = client.get(reverse("reservations:day", args=[
        svc.code, f"{timezone.localtime(soon.starts_at).date()}"])).content.decode()
    assert reverse("reservations:book", args=[svc.code, soon.pk]) not in page
    page = client.get(reverse("reservations:day", args=[
        svc.code, f"{timezone.localtime(later.starts_at).date()}"])).content.decode()
    assert reverse("reservations:book", args=[svc.code, later.pk]) in page


@pytest.mark.parametrize("value", ["²", "", "\x00", "accept!", "9" * 40])
def test_a_junk_waitlist_action_changes_nothing(client, demo, value):
    slot = f.slot(capacity=1)
    services.book(slot, person=f.person(1), request_token=f.token())
    entry = services.join_waitlist(slot, person=f.person(2), request_token=f.token())
    url = reverse("reservations:waitlist", args=[entry.public_id, entry.manage_token])
    response = client.post(url, {"action": value})
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING


def test_bookings_without_an_account_are_limited_per_client_address(client, demo, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "receipt": "2/10/3600"}
    slot = f.slot(capacity=5)
    url = reverse("reservations:book", args=[slot.service.code, slot.pk])
    statuses = []
    for n in range(3):
        details = {**DETAILS, "email": f"person{n}@example.jp"}
        statuses.append(client.post(url, {**details, "request_token": _token(client, url)}))
    assert [r.status_code for r in statuses] == [302, 302, 429]
    assert 0 < int(statuses[-1]["Retry-After"]) <= 3600
    assert "短い間に多くのご予約" in statuses[-1].content.decode()
    assert Slot.objects.get(pk=slot.pk).booked == 2
