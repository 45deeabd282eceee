"""マイページ → アカウント削除: what is withdrawn, kept, deleted; the proof it is the resident."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.applications.models import Application, Draft, StatusEvent
from madoguchi.channels.models import ChannelPreference, LineAccount
from madoguchi.conftest import DEMO_PASSWORD, client_for
from madoguchi.core.models import AuditEvent, MailboxMessage, User
from madoguchi.reservations import services as reservations
from madoguchi.reservations.models import Booking, Room, Service, Slot, Venue
from madoguchi.retention import accounts, services
from madoguchi.staff.models import Department

URL = "/my/account/delete/"


@pytest.fixture
def slot() -> Slot:
    department = Department.objects.get(code="kosodate")
    venue = Venue.objects.create(code="del-hall", department=department, name={"ja": "会場"})
    room = Room.objects.create(venue=venue, name={"ja": "相談室"})
    service = Service.objects.create(code="del-soudan", department=department,
                                     name={"ja": "相談"}, duration_minutes=30, capacity=2)
    starts = (timezone.now() + dt.timedelta(days=10)).replace(microsecond=0)
    return Slot.objects.create(service=service, room=room, starts_at=starts,
                               ends_at=starts + dt.timedelta(minutes=30), capacity=2)


@pytest.fixture
def belongings(resident, make_application, staff_user, form_version, slot):
    """An open case, a decided case, a draft, a booking and a LINE link of the resident."""
    open_case = make_application()
    decided_case = make_application()
    StatusEvent.objects.create(application=decided_case, from_status="received",
                               to_status="approved", actor=staff_user)
    Application.objects.filter(pk=decided_case.pk).update(status="approved")
    Draft.objects.create(form=form_version.form, version=form_version, owner=resident,
                         expires_at=timezone.now() + dt.timedelta(days=30))
    person = reservations.Person(family_name="緑", given_name="太郎", email=resident.email)
    reservations.book(slot, person=person, user=resident, request_token=uuid.uuid4().hex)
    LineAccount.objects.create(line_user_id="U" + "1" * 32, user=resident)
    ChannelPreference.objects.create(user=resident, channels=["line", "email"])
    return open_case, decided_case


def test_the_page_explains_what_happens(resident, belongings):
    page = client_for(resident).get(URL).content.decode()
    assert "1件" in page or "1 application" in page
    assert 'name="password"' in page


def test_wrong_password_or_no_tick_changes_nothing(resident, belongings):
    client = client_for(resident)
    assert client.post(URL, {"understood": "yes", "password": "wrong"}).status_code == 422
    assert client.post(URL, {"password": DEMO_PASSWORD}).status_code == 422
    resident.refresh_from_db()
    assert resident.is_active and Draft.objects.filter(owner=resident).exists()


def test_deleting_the_account(resident, belongings, slot, django_capture_on_commit_callbacks):
    open_case, decided_case = belongings
    email = resident.email
    assert Slot.objects.get(pk=slot.pk).booked == 1
    bookings = Booking.objects.filter(user=resident).count()
    client = client_for(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"understood": "yes", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/deleted/"
    assert client.get("/account/deleted/").status_code == 200

    open_case.refresh_from_db()
    decided_case.refresh_from_db()
    assert open_case.status == "withdrawn" and decided_case.status == "approved"
    assert open_case.events.filter(to_status="withdrawn").exists()
    for case in (open_case, decided_case):
        assert case.applicant is None and case.contact_email == ""
    assert not Draft.objects.filter(owner=resident).exists()
    assert not Booking.objects.filter(slot=slot).exists()
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert not LineAccount.objects.filter(user=resident).exists()
    assert not ChannelPreference.objects.filter(user=resident).exists()

    tombstone = User.objects.get(pk=resident.pk)
    assert not tombstone.is_active and not tombstone.has_usable_password()
    assert tombstone.email.endswith("@deleted.invalid") and email not in tombstone.email
    assert not Client().login(email=email, password=DEMO_PASSWORD)
    assert client.get("/my/").status_code == 302  # signed out
    mail = MailboxMessage.objects.filter(to__contains=email).first()
    assert mail is not None and "削除" in mail.subject
    event = AuditEvent.objects.get(action="account.deleted", target_id=str(resident.pk))
    assert event.details == {"withdrawn": 1, "kept": 1, "bookings": bookings}
    assert not Booking.objects.filter(user=resident).exists()
    assert email not in json.dumps(event.details) + event.actor_label

    # The withdrawn case is kept for its period from the withdrawal, then deleted.
    later = timezone.now().replace(year=timezone.now().year + 7)
    assert services.run(later).applications == 2
    assert not Application.objects.filter(pk__in=[open_case.pk, decided_case.pk]).exists()


def test_without_a_password_a_recent_sign_in_is_needed(resident, belongings):
    resident.set_unusable_password()
    resident.save()
    client = client_for(resident)
    User.objects.filter(pk=resident.pk).update(
        last_login=timezone.now() - accounts.RECENT_SIGN_IN - dt.timedelta(minutes=1))
    page = client.get(URL).content.decode()
    assert 'name="password"' not in page and 'name="understood"' not in page
    assert client.post(URL, {"understood": "yes"}).status_code == 422
    User.objects.filter(pk=resident.pk).update(last_login=timezone.now())
    assert client.post(URL, {"understood": "yes"}).status_code == 302


def test_staff_cannot_delete_an_account_here(staff_user):
    assert client_for(staff_user).post(URL, {"understood": "yes"}).status_code == 403
    with pytest.raises(accounts.DeletionRefused):
        accounts.delete_account(staff_user)
