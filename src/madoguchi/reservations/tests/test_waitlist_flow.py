"""Waitlist: join when full, offer in order on cancellation, accept, expiry passes it on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from madoguchi.core.models import MailboxMessage
from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, Slot, WaitlistEntry
from madoguchi.reservations.services import BookingRefused

from . import factories as f

pytestmark = pytest.mark.django_db


def full_slot(svc=None, capacity=1):
    slot = f.slot(svc or f.service(waitlist_offer_hours=24), capacity=capacity, days=10)
    bookings = [services.book(slot, person=f.person(100 + i), request_token=f.token())
                for i in range(capacity)]
    return slot, bookings


def test_join_only_when_full(demo):
    slot = f.slot(capacity=2)
    with pytest.raises(BookingRefused) as exc:
        services.join_waitlist(slot, person=f.person(), request_token=f.token())
    assert exc.value.code == "not_full"


def test_cancellation_offers_seat_in_order_and_expiry_passes_it_on(
        demo, django_capture_on_commit_callbacks):
    slot, (booking,) = full_slot()
    now = timezone.now()
    first = services.join_waitlist(slot, person=f.person(1), request_token=f.token(), now=now)
    second = services.join_waitlist(slot, person=f.person(2), request_token=f.token(),
                                    now=now + dt.timedelta(seconds=1))
    assert services.waitlist_position(first) == 1 and services.waitlist_position(second) == 2
    with pytest.raises(BookingRefused):  # the same person twice
        services.join_waitlist(slot, person=f.person(1), request_token=f.token())
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(booking, now=now)
    first.refresh_from_db()
    assert first.status == "offered" and first.offered_until > now
    # The seat is held for the offer: nobody else can book it.
    assert Slot.objects.get(pk=slot.pk).booked == 1
    with pytest.raises(BookingRefused):
        services.book(slot, person=f.person(3), request_token=f.token())
    offer_mail = MailboxMessage.objects.filter(to__icontains=first.email).last()
    assert offer_mail and first.manage_token in offer_mail.body
    # Expiry: the offer passes to the second person.
    later = first.offered_until + dt.timedelta(seconds=1)
    assert services.expire_offers(now=later) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "expired" and second.status == "offered"
    with pytest.raises(BookingRefused) as exc:
        services.accept_offer(first, now=later)
    assert exc.value.code == "offer_expired"
    booking2 = services.accept_offer(second, now=later)
    assert booking2.status == "confirmed" and booking2.slot_id == slot.pk
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert Booking.objects.filter(slot=slot, status="confirmed").count() == 1
    assert services.accept_offer(second, now=later) == booking2  # idempotent


def test_expired_offer_with_nobody_waiting_frees_the_seat(demo):
    slot, (booking,) = full_slot()
    entry = services.join_waitlist(slot, person=f.person(1), request_token=f.token())
    services.cancel(booking)
    entry.refresh_from_db()
    services.expire_offers(now=entry.offered_until)
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert services.book(slot, person=f.person(4), request_token=f.token())


def test_declining_passes_the_seat_on(demo):
    slot, (booking,) = full_slot()
    a = services.join_waitlist(slot, person=f.person(1), request_token=f.token())
    b = services.join_waitlist(slot, person=f.person(2), request_token=f.token())
    services.cancel(booking)
    services.decline_offer(WaitlistEntry.objects.get(pk=a.pk))
    assert WaitlistEntry.objects.get(pk=b.pk).status == "offered"
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_waitlist_pages_accept_offer(client, demo):
    slot, (booking,) = full_slot()
    entry = services.join_waitlist(slot, person=f.person(1), request_token=f.token())
    url = reverse("reservations:waitlist", args=[entry.public_id, entry.manage_token])
    page = client.get(url)
    assert page.status_code == 200 and 'class="resv-position"' in page.content.decode()
    services.cancel(booking)
    page = client.get(url)
    assert 'value="accept"' in page.content.decode()
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302
    assert Booking.objects.filter(slot=slot, status="confirmed", email=entry.email).exists()
    assert client.get(reverse("reservations:waitlist", args=[entry.public_id, "x"])
                      ).status_code == 404
