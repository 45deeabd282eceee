"""The waiting room for the opening rush: order, rate, passes, tampering, staff, no query a poll."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import signing
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from madoguchi.conftest import client_for, visible_text
from madoguchi.core.dates import display_datetime
from madoguchi.reservations import waiting_room as wr
from madoguchi.reservations.models import QueueCounter
from madoguchi.staff.tests.helpers import complete_second_factor

from . import factories as f

BOOK_PATH = "/reservations/book/test/"


class Clock:
    """The waiting room's clock, moved by the tests."""

    def __init__(self) -> None:
        self.now = timezone.now().replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(wr, "_now", c)
    wr.clear_caches()
    yield c
    wr.clear_caches()


@pytest.fixture
def rush(demo, clock: Clock):
    """A service opening now, letting in 1 visitor a minute (burst: 1)."""
    return f.service(bookings_open_at=clock.now, admission_per_minute=1)


class Visitor:
    """A browser: keeps the cookies the gate and the waiting page set."""

    def __init__(self, service, user=None) -> None:
        self.service = service
        self.client = client_for(user) if user is not None else Client()
        # The assertions read the English pages.
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.factory = RequestFactory()
        self.user = user

    def request(self, method: str = "get", path: str = BOOK_PATH, data: dict | None = None):
        request = getattr(self.factory, method)(path, data or {})
        request.COOKIES.update({k: v.value for k, v in self.client.cookies.items()})
        SessionMiddleware(lambda r: None).process_request(request)
        request.user = self.user or AnonymousUser()
        return request

    def gate(self, method: str = "get", data: dict | None = None):
        """Run the gate as the booking view does; keep any cookie it sets."""
        response = wr.gate(self.request(method, data=data), self.service)
        if response is not None:
            self.client.cookies.update(response.cookies)
        return response

    def arrive(self):
        """GET the booking page, following redirects through the waiting page.

        Returns "admitted" when the booking page would render, else the waiting page response.
        """
        response = self.gate()
        for _ in range(5):
            if response is None:
                return "admitted"
            location = response["Location"]
            if location.startswith(BOOK_PATH):
                response = self.gate()
                continue
            response = self.client.get(location)
            if response.status_code != 302:
                return response
            response_location = response["Location"]
            if response_location.startswith(BOOK_PATH):
                response = self.gate()
        raise AssertionError("redirect loop")

    def ticket(self) -> wr.Ticket | None:
        return wr.read_ticket(self.request(), wr.snapshot_of(self.service))


def issued(service) -> int:
    return QueueCounter.objects.get(service=service).issued


# -- Off, before the opening, after the rush ------------------------------------------------------


@pytest.mark.django_db
def test_gate_is_off_without_an_admission_rate_or_an_opening_time(demo, clock):
    for service in (
        f.service(bookings_open_at=clock.now, admission_per_minute=0),
        f.service(bookings_open_at=None, admission_per_minute=100),
    ):
        visitor = Visitor(service)
        assert visitor.gate() is None
        assert visitor.gate("post") is None
    assert not QueueCounter.objects.exists()


@pytest.mark.django_db
def test_before_the_opening_the_page_says_when_and_issues_no_ticket(demo, clock):
    service = f.service(bookings_open_at=clock.now + dt.timedelta(minutes=10),
                        admission_per_minute=5)
    visitor = Visitor(service)
    response = visitor.gate()
    assert response.status_code == 302
    page = visitor.client.get(response["Location"])
    assert page.status_code == 200
    text = visible_text(page.content)
    assert "Bookings have not opened yet" in text
    with translation.override("en"):
        assert f"Bookings open at {display_datetime(service.bookings_open_at)}." in text
    assert page["Refresh"].startswith("600;")  # reload at the opening moment
    assert b'http-equiv="refresh"' not in page.content
    assert visitor.ticket() is None
    assert not QueueCounter.objects.filter(service=service, issued__gt=0).exists()
    # A POST before the opening is refused too.
    assert visitor.gate("post").status_code == 303


@pytest.mark.django_db
def test_a_far_opening_does_not_make_the_page_poll(demo, clock):
    service = f.service(bookings_open_at=clock.now + dt.timedelta(days=3), admission_per_minute=5)
    page = Visitor(service).client.get(wr.waiting_url(service.pk, BOOK_PATH))
    assert page.status_code == 200
    assert "Refresh" not in page


@pytest.mark.django_db
def test_after_the_rush_everyone_goes_straight_in(rush, clock, settings):
    settings.RESERVATIONS_WAITING_ROOM_RUSH_MINUTES = 30
    first, second = Visitor(rush), Visitor(rush)
    assert first.arrive() == "admitted"
    assert second.arrive() != "admitted"  # ticket 2 waits one minute
    clock.advance(minutes=29)
    assert Visitor(rush).gate() is not None  # still within the rush
    clock.advance(minutes=2)
    wr.clear_caches()
    fresh = Visitor(rush)
    assert fresh.gate() is None
    assert fresh.gate("post") is None


@pytest.mark.django_db
def test_the_rush_lasts_while_tickets_are_still_waiting(rush, clock, settings):
    settings.RESERVATIONS_WAITING_ROOM_RUSH_MINUTES = 1
    visitors = [Visitor(rush) for _ in range(4)]
    for v in visitors:
        v.arrive()
    clock.advance(minutes=2)  # admitted: 1 + 2 = 3 of 4 tickets
    wr.clear_caches()
    assert Visitor(rush).gate("post") is not None  # (a POST takes no ticket)
    clock.advance(minutes=1)
    wr.clear_caches()
    assert Visitor(rush).gate("post") is None


# -- Order and rate -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_visitors_are_admitted_in_arrival_order_at_the_rate(rush, clock):
    visitors = [Visitor(rush) for _ in range(4)]
    results = [v.arrive() for v in visitors]
    assert [v.ticket().number for v in visitors] == [1, 2, 3, 4]
    assert results[0] == "admitted"  # the burst
    texts = [visible_text(r.content) for r in results[1:]]
    assert "People ahead of you 0 people" in texts[0]
    assert "People ahead of you 1 person" in texts[1]
    assert "People ahead of you 2 people" in texts[2]
    assert "Estimated wait about 3 minutes" in texts[2]
    # Polling does not change anyone's place.
    for v in visitors:
        v.arrive()
    assert [v.ticket().number for v in visitors] == [1, 2, 3, 4]
    assert issued(rush) == 4
    clock.advance(seconds=59)
    assert [v.arrive() == "admitted" for v in visitors] == [True, False, False, False]
    clock.advance(seconds=1)
    assert [v.arrive() == "admitted" for v in visitors] == [True, True, False, False]
    clock.advance(minutes=2)
    assert all(v.arrive() == "admitted" for v in visitors)
    assert issued(rush) == 4


@pytest.mark.django_db
def test_a_higher_rate_and_burst(demo, clock, settings):
    settings.RESERVATIONS_WAITING_ROOM_BURST_MINUTES = 2
    service = f.service(bookings_open_at=clock.now, admission_per_minute=30)
    visitors = [Visitor(service) for _ in range(70)]
    results = [v.arrive() for v in visitors]
    assert results.count("admitted") == 60
    clock.advance(seconds=20)  # 60 + 10
    assert sum(v.arrive() == "admitted" for v in visitors) == 70


@pytest.mark.django_db
def test_the_waiting_page_refreshes_itself_without_javascript(rush, clock):
    Visitor(rush).arrive()
    visitor = Visitor(rush)
    page = visitor.arrive()
    assert page.status_code == 200
    refresh = page["Refresh"]
    seconds, url = refresh.split("; url=")
    assert 2 <= int(seconds) <= wr.MAX_REFRESH_SECONDS
    assert urlsplit(url).path == wr.waiting_url(rush.pk, BOOK_PATH).split("?")[0]
    assert parse_qs(urlsplit(url).query)["next"] == [BOOK_PATH]
    assert page["Cache-Control"] == "no-store"
    assert b"<script" not in page.content
    assert len(page.content) < 4000
    # Automatic checking can be turned off (WCAG 2.2.1) and back on.
    stopped = visitor.client.get(url + "&auto=0")
    assert "Refresh" not in stopped
    assert "Automatic checking is off" in visible_text(stopped.content)


@pytest.mark.django_db
def test_the_waiting_page_only_goes_back_to_a_local_page(rush, clock):
    Visitor(rush).arrive()
    visitor = Visitor(rush)
    visitor.arrive()
    clock.advance(minutes=5)
    response = visitor.client.get(
        wr.waiting_url(rush.pk, "https://evil.example/steal")
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


# -- Passes ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pass_lets_its_holder_post_and_expires(rush, clock, settings):
    settings.RESERVATIONS_WAITING_ROOM_PASS_MINUTES = 10
    visitor = Visitor(rush)
    assert visitor.arrive() == "admitted"
    assert visitor.gate("post") is None
    clock.advance(minutes=9, seconds=59)
    assert visitor.gate("post") is None
    clock.advance(seconds=1)
    refused = visitor.gate("post")
    assert refused.status_code == 303
    assert "expired=1" in refused["Location"]
    # Coming back, the visitor queues again at the back of the line.
    page = visitor.arrive()
    assert visitor.ticket().number == 2
    assert page == "admitted"  # 10 minutes at 1/min: ticket 2 is already due
    assert issued(rush) == 2


@pytest.mark.django_db
def test_a_late_arrival_gets_the_full_pass_time(rush, clock, settings):
    settings.RESERVATIONS_WAITING_ROOM_PASS_MINUTES = 10
    clock.advance(minutes=30)  # nobody came: ticket 1 was due at the opening
    visitor = Visitor(rush)
    assert visitor.arrive() == "admitted"
    clock.advance(minutes=9)
    assert visitor.gate("post") is None


@pytest.mark.django_db
def test_post_without_a_pass_is_refused(rush, clock):
    visitor = Visitor(rush)
    response = visitor.gate("post", {"request_token": "x"})
    assert response.status_code == 303
    assert response["Location"].startswith(reverse("reservations:waiting_room", args=[rush.pk]))
    assert visitor.ticket() is None
    # A ticket that is still waiting is no pass either.
    Visitor(rush).arrive()
    waiting = Visitor(rush)
    waiting.arrive()
    assert waiting.ticket().number == 2
    assert waiting.gate("post").status_code == 303


@pytest.mark.django_db
def test_tampered_and_foreign_cookies_are_refused(rush, clock):
    visitor = Visitor(rush)
    assert visitor.arrive() == "admitted"
    name = wr.cookie_name(rush.pk)
    good = visitor.client.cookies[name].value
    snapshot = wr.snapshot_of(rush)

    def with_cookie(value: str):
        other = Visitor(rush)
        other.client.cookies[name] = value
        return other

    # A forged ticket number: the payload changed, the signature kept.
    payload, *rest = good.split(":")
    forged_payload = signing.b64_encode(
        json.dumps([rush.pk, int(snapshot.open_at.timestamp()), 1, 0]).encode()
    ).decode()
    forged = with_cookie(":".join([forged_payload, *rest]))
    assert forged.ticket() is None
    assert forged.gate("post").status_code == 303
    # Signed with another key.
    with override_settings(SECRET_KEY="another-key-" + "x" * 50):
        other_key = signing.dumps([rush.pk, int(snapshot.open_at.timestamp()), 1, 0],
                                  salt=f"{wr.SALT}.{rush.pk}")
    assert with_cookie(other_key).ticket() is None
    assert with_cookie("garbage").gate("post").status_code == 303
    assert with_cookie(good).ticket() is not None  # the real one still works

    # Another service's ticket is no pass here, even copied under this service's name.
    other_service = f.service(bookings_open_at=clock.now, admission_per_minute=1)
    elsewhere = Visitor(other_service)
    assert elsewhere.arrive() == "admitted"
    copied = with_cookie(elsewhere.client.cookies[wr.cookie_name(other_service.pk)].value)
    assert copied.ticket() is None
    assert copied.gate("post").status_code == 303

    # A ticket from an earlier opening is void when the opening moves.
    rush.bookings_open_at = clock.now + dt.timedelta(seconds=30)
    rush.save()
    clock.advance(minutes=1)
    assert visitor.ticket() is None
    assert visitor.gate("post").status_code == 303
    assert snapshot.open_at != wr.snapshot_of(rush).open_at


# -- Staff ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_booking_for_a_phone_caller_bypasses_the_queue(rush, clock, staff_user):
    for _ in range(5):
        Visitor(rush).arrive()
    staff = Visitor(rush)
    staff.user = staff_user
    staff.client.force_login(staff_user)
    request = staff.request("post")
    request.user = staff_user
    # Without the second factor a staff account is an ordinary visitor.
    assert wr.gate(request, rush).status_code == 303
    complete_second_factor(staff.client, staff_user)
    request = staff.request("post")
    request.session = staff.client.session
    request.user = staff_user
    assert wr.gate(request, rush) is None
    request = staff.request("get")
    request.session = staff.client.session
    request.user = staff_user
    assert wr.gate(request, rush) is None
    assert issued(rush) == 5  # staff took no ticket


# -- Cost of a poll -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_waiting_page_poll_costs_no_database_query(rush, clock, resident,
                                                     django_assert_num_queries):
    Visitor(rush).arrive()
    anonymous = Visitor(rush)
    signed_in = Visitor(rush, user=resident)
    first = anonymous.arrive()
    assert first.status_code == 200
    assert signed_in.arrive().status_code == 200
    url = first["Refresh"].split("; url=")[1]
    for visitor in (anonymous, signed_in):
        with django_assert_num_queries(0):
            page = visitor.client.get(url)
        assert page.status_code == 200
        assert "Waiting room" in visible_text(page.content)
    clock.advance(seconds=30)
    with django_assert_num_queries(0):
        assert anonymous.client.get(url).status_code == 200


@pytest.mark.django_db
def test_cookies_off_gives_a_clear_page_and_no_ticket_storm(rush, clock):
    visitor = Visitor(rush)
    response = visitor.gate()
    assert response.status_code == 302
    before = issued(rush)
    cookieless = Client()
    cookieless.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = cookieless.get(response["Location"])
    assert page.status_code == 200
    assert "Please allow cookies" in visible_text(page.content)
    assert "Refresh" not in page
    assert issued(rush) == before


@pytest.mark.django_db
def test_ticket_numbers_come_from_one_counter_per_service(demo, clock):
    a = f.service(bookings_open_at=clock.now, admission_per_minute=1)
    b = f.service(bookings_open_at=clock.now, admission_per_minute=1)
    assert [wr.issue_ticket(a.pk) for _ in range(3)] == [1, 2, 3]
    assert wr.issue_ticket(b.pk) == 1
    assert issued(a) == 3
    assert wr.issued_count(a.pk) == 3


# -- Through the booking pages --------------------------------------------------------------------


def _guest_post(token: str) -> dict[str, str]:
    return {"request_token": token, "family_name": "緑川", "given_name": "花子",
            "family_kana": "ミドリカワ", "given_kana": "ハナコ", "birth_date": "1970-05-01",
            "sex": "female", "phone": "090-1234-5678", "email": "hanako@example.jp"}


@pytest.mark.django_db
def test_the_booking_pages_queue_visitors_and_refuse_posts_without_a_pass(rush, clock):
    from madoguchi.reservations.models import Booking

    slot = f.slot(rush, capacity=5)
    path = f"/reservations/{rush.code}/slot/{slot.pk}/"
    calendar = f"/reservations/{rush.code}/"

    first = Client()
    response = first.get(path, follow=True)
    assert response.redirect_chain[-1][0] == path  # through the waiting page and back in
    assert b'name="request_token"' in response.content
    assert first.post(path, _guest_post(f.token())).status_code == 302
    assert Booking.objects.filter(slot=slot).count() == 1

    second = Client()
    assert second.get(calendar)["Location"].startswith(
        reverse("reservations:waiting_room", args=[rush.pk]))
    # Posting straight to the form, without a pass, books nothing.
    refused = second.post(path, _guest_post(f.token()))
    assert refused.status_code == 303
    refused = Client().post(path, _guest_post(f.token()))
    assert refused.status_code == 303
    assert Booking.objects.filter(slot=slot).count() == 1
    clock.advance(minutes=1)
    assert second.get(path).status_code == 200
    assert second.post(path, _guest_post(f.token())).status_code == 302
    assert Booking.objects.filter(slot=slot).count() == 2
