"""Booking CSV export (UTF-8 with BOM, CP932 with 〓 for missing characters) and the
utilisation figures per service."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import staff_email
from madoguchi.reservations import services, stats
from madoguchi.reservations.models import Service, Slot
from madoguchi.reservations.staff import services as staff_services
from madoguchi.reservations.tests import factories as f
from madoguchi.staff.models import StaffMember
from madoguchi.staff.tests.helpers import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenko_clerk(demo) -> User:
    return User.objects.get(email=staff_email("kenko1"))


@pytest.fixture
def clerk(kenko_clerk) -> Client:
    return staff_login(Client(), kenko_clerk)


def _past_slot(service: Service, *, hours_ago: int, capacity: int = 3) -> Slot:
    start = timezone.now() - dt.timedelta(hours=hours_ago)
    return Slot.objects.create(service=service, room=f.room(), starts_at=start,
                               ends_at=start + dt.timedelta(minutes=30), capacity=capacity)


def _book(slot: Slot, n: int, by: User, **kw):
    return services.book(slot, person=f.person(n, **kw), request_token=f.token(),
                         booked_by=by, now=slot.starts_at - dt.timedelta(hours=1))


def _period(slot: Slot) -> dict[str, str]:
    day = timezone.localtime(slot.starts_at).date()
    return {"start": (day - dt.timedelta(days=1)).isoformat(),
            "end": (day + dt.timedelta(days=1)).isoformat()}


def _download(client: Client, **params: str) -> bytes:
    response = client.post("/staff/reservations/export/", params)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def test_export_utf8_with_bom(clerk, kenko_clerk):
    service = f.service()
    slot = f.slot(service, days=2)
    booking = _book(slot, 1, kenko_clerk, family_name="=HYPERLINK(1)")
    body = _download(clerk, service=service.code, format="csv_utf8", include_cancelled="on",
                     **_period(slot))
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][0] == str(booking.public_id)
    assert rows[1][8] == "'=HYPERLINK(1)"  # a formula is never run by Excel
    assert rows[1][14] == booking.phone
    event = AuditEvent.objects.get(action="reservation.export")
    assert event.details["rows"] == 1 and event.details["completed"] is True


def test_export_cp932_replaces_and_reports_missing_characters(clerk, kenko_clerk):
    service = f.service()
    slot = f.slot(service, days=2)
    booking = _book(slot, 2, kenko_clerk, family_name="髙﨑", given_name="𠮷男")
    body = _download(clerk, service=service.code, format="csv_cp932", **_period(slot))
    assert not body.startswith(b"\xef\xbb\xbf")
    text = body.decode("cp932")
    assert "髙﨑" in text and "〓男" in text
    event = AuditEvent.objects.get(action="reservation.export")
    assert event.details["replaced_count"] == 1
    (replaced,) = event.details["replaced"]
    assert (replaced["receipt"], replaced["chars"]) == (str(booking.public_id), "𠮷")


def test_export_leaves_out_cancelled_unless_asked_and_other_departments(clerk, kenko_clerk):
    service = f.service()
    slot = f.slot(service, days=2)
    kept = _book(slot, 3, kenko_clerk)
    gone = _book(slot, 4, kenko_clerk)
    services.cancel(gone, by=kenko_clerk)
    other = f.service(department=StaffMember.objects.get(
        user__email=staff_email("kosodate1")).department)
    foreign = _book(f.slot(other, days=2), 5, kenko_clerk)
    body = _download(clerk, format="csv_utf8", **_period(slot)).decode("utf-8-sig")
    assert str(kept.public_id) in body and str(gone.public_id) not in body
    assert str(foreign.public_id) not in body
    body = _download(clerk, format="csv_utf8", include_cancelled="on",
                     **_period(slot)).decode("utf-8-sig")
    assert str(gone.public_id) in body


def test_export_of_another_departments_service_is_refused(clerk):
    other = f.service(department=StaffMember.objects.get(
        user__email=staff_email("kosodate1")).department)
    response = clerk.post("/staff/reservations/export/", {
        "service": other.code, "format": "csv_utf8", "start": "2026-01-01",
        "end": "2026-12-31"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="reservation.export").exists()


@pytest.mark.parametrize("params", [
    {"start": "2026-12-31", "end": "2026-01-01", "format": "csv_utf8"},
    {"start": "nonsense", "end": "2026-01-01", "format": "csv_utf8"},
    {"start": "2020-01-01", "end": "2026-01-01", "format": "csv_utf8"},
    {"start": "2026-01-01", "end": "2026-01-31", "format": "xls"},
])
def test_export_with_bad_input_shows_the_form_again(clerk, params):
    response = clerk.post("/staff/reservations/export/", params)
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()


def test_utilisation_counts(kenko_clerk):
    service = f.service(capacity=4)
    slot = _past_slot(service, hours_ago=3, capacity=4)
    attended = _book(slot, 1, kenko_clerk)
    no_show = _book(slot, 2, kenko_clerk)
    _book(slot, 3, kenko_clerk)  # still confirmed
    cancelled = _book(slot, 4, kenko_clerk)
    services.cancel(cancelled, by=kenko_clerk)
    staff_services.check_in(attended, attended=True, by=kenko_clerk)
    staff_services.check_in(no_show, attended=False, by=kenko_clerk)
    closed = f.slot(service, days=1, capacity=4)
    staff_services.close_slot(closed, by=kenko_clerk, reason="休止")
    f.slot(service, days=40, capacity=4)  # outside the period
    day = timezone.localtime(slot.starts_at).date()
    rows, total = stats.utilisation(Service.objects.filter(pk=service.pk), day,
                                    day + dt.timedelta(days=2))
    (row,) = rows
    assert (row.slots, row.closed_slots, row.capacity) == (2, 1, 4)
    assert (row.booked, row.confirmed, row.attended, row.no_show, row.cancelled) == (3, 1, 1, 1,
                                                                                     1)
    assert row.rate == 75.0 and row.attendance == 50.0
    assert total.booked == 3


def test_utilisation_page_department_and_dx(kenko_clerk, clerk):
    service = f.service()
    slot = f.slot(service, days=1)
    _book(slot, 1, kenko_clerk)
    other = f.service(department=StaffMember.objects.get(
        user__email=staff_email("kosodate1")).department, name={"ja": "他課の相談", "en": "x"})
    day = timezone.localtime(slot.starts_at).date().isoformat()
    response = clerk.get("/staff/reservations/utilisation/", {"start": day, "end": day})
    text = response.content.decode()
    assert response.status_code == 200 and str(service) in text and "他課の相談" not in text
    assert f.person(1).family_name not in text  # counts only
    dx_user = User.objects.create_user(email="dx-resv@city.midorigaoka.example",
                                       password="dx-password-2026-x", kind=User.Kind.STAFF)
    StaffMember.objects.create(user=dx_user, department=other.department, role="dx",
                               family_name="統計", given_name="太郎")
    dx = staff_login(Client(), dx_user)
    response = dx.get("/staff/reservations/utilisation/", {"start": day, "end": day})
    text = response.content.decode()
    assert response.status_code == 200 and str(service) in text and "他課の相談" in text
    assert f.person(1).family_name not in text
    assert dx.get("/staff/reservations/").status_code == 403
    assert dx.get("/staff/reservations/export/").status_code == 403
