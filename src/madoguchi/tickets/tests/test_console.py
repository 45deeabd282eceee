"""The staff console: who may use it, the actions, their state checks and the audit log."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent
from madoguchi.staff.tests.helpers import member, staff_login
from madoguchi.tickets import services
from madoguchi.tickets.models import Counter, Ticket


def at_counter(client: Client, number: int) -> Client:
    client.post("/staff/tickets/counter/", {"counter": Counter.objects.get(number=number).pk})
    return client


def test_console_needs_staff_with_the_second_factor(tickets, resident, clerk):
    anonymous = Client().get("/staff/tickets/")
    assert anonymous.status_code == 302 and "/staff/login/" in anonymous["Location"]
    assert client_for(resident).get("/staff/tickets/").status_code == 403
    password_only = Client()
    password_only.force_login(clerk.user)
    response = password_only.get("/staff/tickets/")
    assert response.status_code == 302 and "/staff/login/code/" in response["Location"]
    dx = staff_login(Client(), member("dx", "shimin"))
    assert dx.get("/staff/tickets/").status_code == 403
    assert dx.post("/staff/tickets/call/").status_code == 403


@pytest.mark.parametrize("language", ["ja", "en"])
def test_call_serve_done_through_the_console(tickets, purpose, clerk_client, language):
    if language == "en":
        clerk_client.cookies["django_language"] = "en"
    ticket = services.issue(purpose, channel="kiosk")
    assert "Call next" in at_counter(clerk_client, 1).get("/staff/tickets/").content.decode() \
        or language == "ja"
    clerk_client.post("/staff/tickets/call/")
    page = clerk_client.get("/staff/tickets/").content.decode()
    assert ticket.label in page and ("Start serving" if language == "en" else "対応開始") in page
    for action, state in (("recall", "called"), ("start", "serving"), ("done", "done")):
        assert clerk_client.post(f"/staff/tickets/{ticket.pk}/{action}/").status_code == 302
        ticket.refresh_from_db()
        assert ticket.state == state, action
    assert ticket.recall_count == 1 and ticket.counter.number == 1
    actions = set(AuditEvent.objects.filter(target_type="ticket", target_id=str(ticket.pk))
                  .values_list("action", flat=True))
    assert actions == {"ticket.called", "ticket.recalled", "ticket.serving", "ticket.done"}


def test_wrong_state_is_explained_in_japanese(tickets, purpose, clerk_client):
    ticket = services.issue(purpose, channel="kiosk")
    response = at_counter(clerk_client, 1).post(f"/staff/tickets/{ticket.pk}/done/", follow=True)
    assert response.status_code == 200
    message = f"番号札{ticket.label}は「待ち」のため、この操作はできません。"
    assert message in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).state == "waiting"


def test_call_next_without_a_counter_or_a_queue(tickets, purpose, clerk_client):
    body = clerk_client.post("/staff/tickets/call/", follow=True).content.decode()
    assert "先に担当する窓口を選んでください。" in body
    body = at_counter(clerk_client, 1).post("/staff/tickets/call/", follow=True).content.decode()
    assert "お待ちの方はいません。" in body


@pytest.mark.parametrize("path", ["²/done/", "0/done/", "999999/recall/", "abc/start/"])
def test_junk_ticket_ids_are_not_found(tickets, clerk_client, path):
    assert clerk_client.post(f"/staff/tickets/{path}").status_code == 404


def test_junk_counter_and_transfer_input(tickets, purpose, clerk_client):
    body = clerk_client.post("/staff/tickets/counter/", {"counter": "²"},
                             follow=True).content.decode()
    assert "一覧から担当する窓口を選んでください。" in body
    ticket = services.issue(purpose, channel="kiosk")
    at_counter(clerk_client, 1).post("/staff/tickets/call/")
    body = clerk_client.post(f"/staff/tickets/{ticket.pk}/transfer/",
                             {"counter": "x", "department": "²"}, follow=True).content.decode()
    assert "一覧から窓口か課を選んでください。" in body
    body = clerk_client.post(f"/staff/tickets/{ticket.pk}/transfer/", {},
                             follow=True).content.decode()
    assert "移し先は、窓口か課のどちらか一方を選んでください。" in body
    assert Ticket.objects.get(pk=ticket.pk).state == "called"


def test_another_department_neither_sees_nor_acts(tickets, purpose, clerk_client):
    ticket = services.issue(purpose, channel="kiosk")  # 市民課
    other = at_counter(staff_login(Client(), member("clerk", "kosodate")), 5)
    assert other.post("/staff/tickets/call/").status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).state == "waiting"  # not theirs to call
    at_counter(clerk_client, 1).post("/staff/tickets/call/")
    for action in ("recall", "absent", "start", "done", "transfer"):
        response = other.post(f"/staff/tickets/{ticket.pk}/{action}/",
                              {"counter": Counter.objects.get(number=6).pk})
        assert response.status_code == 404, action
    assert ticket.label not in other.get("/staff/tickets/").content.decode()
    assert Ticket.objects.get(pk=ticket.pk).state == "called"


def test_two_clerks_calling_get_two_different_tickets(tickets, purpose, clerk, clerk2, rf_for):
    first = services.issue(purpose, channel="kiosk")
    second = services.issue(purpose, channel="kiosk")
    a = services.call_next(rf_for(clerk), clerk, Counter.objects.get(number=1))
    b = services.call_next(rf_for(clerk2), clerk2, Counter.objects.get(number=2))
    c = services.call_next(rf_for(clerk2), clerk2, Counter.objects.get(number=2))
    assert (a.pk, b.pk, c) == (first.pk, second.pk, None)


def test_transfer_to_another_department_goes_first_there(tickets, purpose, other_purpose,
                                                         clerk_client, other_clerk, rf_for):
    waiting = services.issue(other_purpose, channel="kiosk")  # 子育て支援課, older
    moved = services.issue(purpose, channel="kiosk")
    at_counter(clerk_client, 1).post("/staff/tickets/call/")
    clerk_client.post(f"/staff/tickets/{moved.pk}/transfer/",
                      {"department": other_clerk.department_id})
    moved.refresh_from_db()
    assert (moved.state, moved.department_id, moved.counter) == (
        "transferred", other_clerk.department_id, None)
    called = services.call_next(rf_for(other_clerk), other_clerk, Counter.objects.get(number=5))
    assert called.pk == moved.pk and called.label == "A001"  # the holder keeps the number
    assert Ticket.objects.get(pk=waiting.pk).state == "waiting"
