"""The がん検診 application form with its booking step: the seat is booked with the application,
in one transaction; a slot that filled up meanwhile refuses the submission on the check page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from madoguchi.applications.models import Application
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import TOKEN_RE, client_for
from madoguchi.demo.city import _publish_demo_form
from madoguchi.forms.library import clear_cache
from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, Service, Slot

from . import factories as f

pytestmark = pytest.mark.django_db
SLUG = "gan-kenshin"

PAGES = {
    "applicant": {
        "applicant_name-family": "青木", "applicant_name-given": "春子",
        "applicant_name-family_kana": "あおき", "applicant_name-given_kana": "はるこ",
        "birth_date": "昭和43年4月1日", "sex": "female", "phone": "090-2222-3333",
        "address-postal_code": "999-0101", "address-prefecture": "緑ヶ丘県",
        "address-city": "緑ヶ丘市", "address-town": "北山", "address-street": "1-2-3",
        "address-building": "",
    },
    "screenings": {"screenings": ["breast"], "place": "clinic", "under_treatment": "no"},
    "consent": {"consent": "yes"},
}


@pytest.fixture
def gan_form(demo):
    clear_cache()
    procedure = Procedure.objects.get(slug=SLUG)
    Procedure.objects.filter(pk=procedure.pk).update(online=True)
    procedure.refresh_from_db()
    _publish_demo_form(SLUG, procedure)


def url(page: str) -> str:
    return f"/apply/{SLUG}/{page}/"


def fill_until_booking(client) -> None:
    for page, data in PAGES.items():
        response = client.post(url(page), data)
        assert response.status_code == 302, (page, re.findall(r'field__error[^>]*>(.*?)</p>',
                                                              response.content.decode(), re.S))


def pick_slot(client, slot: Slot) -> None:
    month = timezone.localtime(slot.starts_at).strftime("%Y-%m")
    shown = client.post(url("booking"), {"booking-service": slot.service.code,
                                         "booking-month": month, "_action": "booking:show"})
    assert shown.status_code == 200
    html = shown.content.decode()
    match = re.search(rf'id="f-booking-slot-{slot.pk}" name="booking-slot" value="([^"]+)"', html)
    assert match, "the free slot is offered after “Show the times”"
    response = client.post(url("booking"), {"booking-service": slot.service.code,
                                            "booking-month": month,
                                            "booking-slot": match[1]})
    assert response.status_code == 302


def nyugan_slot(capacity: int = 2) -> Slot:
    svc = Service.objects.get(code="nyugan")
    return f.slot(svc, days=20, hour=15, capacity=capacity)


def test_submitting_the_application_books_the_seat(gan_form, resident):
    client = client_for(resident)
    slot = nyugan_slot()
    fill_until_booking(client)
    pick_slot(client, slot)
    check = client.get(url("check"))
    assert "乳がん検診" in check.content.decode()
    token = TOKEN_RE.search(check.content.decode())[1]
    response = client.post(url("check"), {"token": token})
    assert response.status_code == 302
    application = Application.objects.get(form_version__form__slug=SLUG)
    booking = Booking.objects.get(application=application)
    assert booking.slot_id == slot.pk and booking.channel == "form"
    assert booking.family_name == "青木" and booking.user == resident
    assert booking.birth_date == dt.date(1968, 4, 1) and booking.sex == "female"
    assert Slot.objects.get(pk=slot.pk).booked == 1
    # Submitting again (double click) makes neither a second application nor a second booking.
    client.post(url("check"), {"token": token})
    assert Application.objects.filter(form_version__form__slug=SLUG).count() == 1
    assert Booking.objects.filter(slot=slot).count() == 1


def test_a_slot_full_at_submit_refuses_with_a_message_and_keeps_the_answers(gan_form, resident):
    client = client_for(resident)
    slot = nyugan_slot(capacity=1)
    fill_until_booking(client)
    pick_slot(client, slot)
    services.book(slot, person=f.person(7), request_token=f.token())  # someone was quicker
    check = client.get(url("check"))
    token = TOKEN_RE.search(check.content.decode())[1]
    response = client.post(url("check"), {"token": token})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "fully booked" in html or "定員" in html
    assert not Application.objects.filter(form_version__form__slug=SLUG).exists()
    assert Slot.objects.get(pk=slot.pk).booked == 1
    # The answers are kept: choose another time and send.
    other = nyugan_slot()
    pick_slot(client, other)
    token = TOKEN_RE.search(client.get(url("check")).content.decode())[1]
    assert client.post(url("check"), {"token": token}).status_code == 302
    assert Booking.objects.filter(slot=other, application__isnull=False).count() == 1


def test_ineligible_person_is_refused_at_submit(gan_form, resident):
    client = client_for(resident)
    slot = nyugan_slot()
    fill_until_booking(client)
    client.post(url("applicant"), {**PAGES["applicant"], "sex": "male"})
    pick_slot(client, slot)
    token = TOKEN_RE.search(client.get(url("check")).content.decode())[1]
    response = client.post(url("check"), {"token": token})
    assert response.status_code == 422
    assert not Booking.objects.filter(slot=slot).exists()


def test_forged_slot_choice_is_refused(gan_form, resident):
    client = client_for(resident)
    fill_until_booking(client)
    response = client.post(url("booking"), {"booking-service": "nyugan",
                                            "booking-slot": "12345"})
    assert response.status_code == 422
    assert 'aria-invalid' in response.content.decode() or "field__error" in \
        response.content.decode()
