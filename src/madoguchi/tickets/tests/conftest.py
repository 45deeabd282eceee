"""Fixtures for the ticket tests: the demo city with its purposes and counters, no tickets."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from madoguchi.core.models import User
from madoguchi.demo.accounts import staff_email
from madoguchi.staff.models import StaffMember
from madoguchi.staff.tests.helpers import staff_login
from madoguchi.tickets import display
from madoguchi.tickets.models import Counter, DailySequence, Purpose, Ticket


@pytest.fixture
def tickets(demo):
    """The demo's purposes and counters with an empty queue and a cold snapshot."""
    Ticket.objects.all().delete()
    DailySequence.objects.all().delete()
    display.forget()
    yield
    display.forget()


@pytest.fixture
def purpose(tickets) -> Purpose:
    return Purpose.objects.get(code="ido")  # 市民課


@pytest.fixture
def other_purpose(tickets) -> Purpose:
    return Purpose.objects.get(code="kosodate")  # 子育て支援課


@pytest.fixture
def counter(tickets) -> Counter:
    return Counter.objects.get(number=1)


@pytest.fixture
def clerk(tickets) -> StaffMember:
    return User.objects.get(email=staff_email("shimin1")).staff_profile


@pytest.fixture
def clerk2(tickets) -> StaffMember:
    return User.objects.get(email=staff_email("shimin2")).staff_profile


@pytest.fixture
def other_clerk(tickets) -> StaffMember:
    return User.objects.get(email=staff_email("kosodate1")).staff_profile


@pytest.fixture
def rf_for():
    """A request (for the audit log) made by ``staff``."""

    def make(staff: StaffMember):
        request = RequestFactory().post("/staff/tickets/")
        request.user = staff.user
        return request

    return make


@pytest.fixture
def clerk_client(clerk) -> Client:
    return staff_login(Client(), clerk.user)
