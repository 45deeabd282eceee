"""The public pages: kiosk, online tickets, a ticket's page and the calling display."""

from __future__ import annotations

import threading
import time

import pytest
from django.test import Client, override_settings

from madoguchi.conftest import client_for
from madoguchi.core.models import MailboxMessage
from madoguchi.tickets import display, services
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.tokens import COOKIE, ticket_token


def english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("language", ["ja", "en"])
def test_kiosk_issues_a_printable_ticket(tickets, purpose, language):
    client = english() if language == "en" else Client()
    page = client.get("/tickets/kiosk/").content.decode()
    assert ("Take a ticket" if language == "en" else "番号札") in page
    assert purpose.name[language] in page
    response = client.post(f"/tickets/kiosk/{purpose.code}/")
    assert response.status_code == 302 and response["Location"].endswith("?print=1")
    ticket = Ticket.objects.get()
    assert (ticket.label, ticket.channel, ticket.state) == ("A001", "kiosk", "waiting")
    slip = client.get(response["Location"])
    body = slip.content.decode()
    assert slip.status_code == 200 and "A001" in body
    assert "<svg" in body and "tickets/print.js" in body  # QR inline, prints itself
    assert "Refresh" not in slip  # a slip being printed does not reload


def test_ticket_page_shows_the_place_and_reloads_itself(tickets, purpose, client):
    first = services.issue(purpose, channel="kiosk")
    second = services.issue(purpose, channel="kiosk")
    response = client.get(f"/tickets/t/{ticket_token(second)}/")
    assert response.status_code == 200
    assert response["Refresh"] == "20" and response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "1人" in body  # one person before
    assert first.label not in body


@pytest.mark.parametrize("token", ["junk", "²", "1:abc:def", "%00", "a" * 300])
def test_bad_ticket_tokens_are_not_found(tickets, client, token):
    assert client.get(f"/tickets/t/{token}/").status_code == 404


def test_a_ticket_of_another_day_is_not_found(tickets, purpose, client):
    ticket = services.issue(purpose, channel="kiosk")
    token = ticket_token(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(day="2020-01-01")
    assert client.get(f"/tickets/t/{token}/").status_code == 404


@pytest.mark.parametrize("code", ["nothing", "²", "ido%00"])
def test_unknown_purposes_are_not_found(tickets, client, code):
    assert client.post(f"/tickets/kiosk/{code}/").status_code == 404
    assert client.post(f"/tickets/take/{code}/").status_code == 404


def test_kiosk_issue_needs_a_post(tickets, purpose, client):
    assert client.get(f"/tickets/kiosk/{purpose.code}/").status_code == 405
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_online_ticket_one_per_browser(tickets, purpose, language):
    client = english() if language == "en" else Client()
    page = client.get("/tickets/").content.decode()
    assert ("Take a ticket before you come" if language == "en" else "整理券") in page
    response = client.post(f"/tickets/take/{purpose.code}/", {"email": ""})
    assert response.status_code == 302 and COOKIE in response.cookies
    assert client.get(response["Location"]).status_code == 200
    again = client.post(f"/tickets/take/{purpose.code}/", {"email": ""}, follow=True)
    assert Ticket.objects.count() == 1
    text = "You already have a ticket" if language == "en" else "すでに番号札をお持ちです"
    assert text in again.content.decode()


def test_online_ticket_rate_limit_per_address(tickets, purpose):
    with override_settings(TICKETS_ONLINE_PER_HOUR=2):
        for _ in range(2):
            assert Client().post(f"/tickets/take/{purpose.code}/").status_code == 302
        refused = Client().post(f"/tickets/take/{purpose.code}/", follow=True)
    assert Ticket.objects.count() == 2
    assert "この接続からの番号札が多すぎます" in refused.content.decode()
    other = Client(REMOTE_ADDR="192.0.2.9").post(f"/tickets/take/{purpose.code}/")
    assert other.status_code == 302 and Ticket.objects.count() == 3


def test_online_ticket_bad_email_is_explained_in_japanese(tickets, purpose, client):
    response = client.post(f"/tickets/take/{purpose.code}/", {"email": "not-an-address²"})
    assert response.status_code == 400
    assert "有効なメールアドレスを入力してください" in response.content.decode()
    assert not Ticket.objects.exists()


def test_online_ticket_of_a_signed_in_resident(tickets, purpose, resident):
    client = client_for(resident)
    client.post(f"/tickets/take/{purpose.code}/", {"email": ""})
    ticket = Ticket.objects.get()
    assert ticket.resident == resident and ticket.channel == "online"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_display_shows_calls_and_waits(tickets, purpose, counter, clerk, rf_for, language):
    services.issue(purpose, channel="kiosk")
    services.issue(purpose, channel="kiosk")
    services.call_next(rf_for(clerk), clerk, counter)
    client = english() if language == "en" else Client()
    response = client.get("/tickets/display/")
    body = response.content.decode()
    # Without JavaScript the page reloads itself; with it, its script polls the board instead.
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in body
    assert "Refresh" not in response and response["Cache-Control"] == "no-store"
    assert 'data-board-url="/tickets/display/board/"' in body
    assert "A001" in body and counter.name[language] in body
    assert ("Now calling" if language == "en" else "お呼び出し中") in body
    board = client.get("/tickets/display/board/")
    fragment = board.content.decode()
    assert board["Cache-Control"] == "no-store" and "<html" not in fragment
    assert 'class="display__board" data-latest="A001:1:0"' in fragment
    announcement = (f"Number A001, please come to {counter.name['en']}." if language == "en"
                    else f"A001番の方、{counter.name['ja']}へお越しください。")
    assert announcement in fragment and counter.name[language] in fragment


def test_display_costs_no_query_on_a_warm_snapshot(tickets, purpose, client,
                                                    django_assert_num_queries):
    services.issue(purpose, channel="kiosk")
    display.forget()
    client.get("/tickets/display/")  # warms the snapshot
    with django_assert_num_queries(0):
        for _ in range(3):
            assert client.get("/tickets/display/").status_code == 200
            assert client.get("/tickets/display.json").status_code == 200
            assert client.get("/tickets/display/board/").status_code == 200


def test_display_board_polls_cost_no_query_and_follow_the_snapshot(
        tickets, purpose, counter, clerk, rf_for, client, django_assert_num_queries):
    """The script's fragment: no query per poll on a warm snapshot, a new call once rebuilt."""
    services.issue(purpose, channel="kiosk")
    display.forget()
    assert "data-latest=\"\"" in client.get("/tickets/display/board/").content.decode()
    with django_assert_num_queries(0):
        for _ in range(5):
            response = client.get("/tickets/display/board/")
            assert response.status_code == 200
            assert "data-latest=\"\"" in response.content.decode()
    services.call_next(rf_for(clerk), clerk, counter)  # forgets this process's snapshot
    assert 'data-latest="A001:1:0"' in client.get("/tickets/display/board/").content.decode()


def test_display_json(tickets, purpose, client):
    services.issue(purpose, channel="kiosk")
    data = client.get("/tickets/display.json").json()
    line = next(p for p in data["purposes"] if p["code"] == purpose.code)
    assert line["waiting"] == 1 and data["calls"] == []


def test_estimated_wait_uses_measured_service_times(tickets, purpose, counter, clerk, rf_for):
    import datetime as dt

    from django.utils import timezone

    from madoguchi.tickets import selectors

    assert selectors.service_seconds(purpose) == purpose.default_minutes * 60
    start = timezone.now() - dt.timedelta(hours=1)
    for minutes in (2, 4, 30):
        ticket = services.issue(purpose, channel="kiosk", now=start)
        services.call_next(rf_for(clerk), clerk, counter, now=start)
        services.start(rf_for(clerk), clerk, ticket.pk, now=start)
        services.finish(rf_for(clerk), clerk, ticket.pk,
                        now=start + dt.timedelta(minutes=minutes))
    assert selectors.service_seconds(purpose) == 4 * 60  # the median, not the mean


def test_near_notice_by_email(tickets, purpose, counter, clerk, rf_for,
                              django_capture_on_commit_callbacks):
    first = services.issue(purpose, channel="kiosk")
    services.issue(purpose, channel="online", email="hanako@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(rf_for(clerk), clerk, counter)
    sent = MailboxMessage.objects.filter(to__icontains="hanako@example.jp")
    assert sent.count() == 1 and "A002" in sent.get().subject
    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(rf_for(clerk), clerk, counter)
    assert sent.count() == 1  # once per ticket
    assert Ticket.objects.get(pk=first.pk).state == "called"


def test_a_crowd_of_polls_on_an_expired_board_reads_it_once(monkeypatch):
    """Threads polling while the board expires: one reads the database, the others wait for it
    (no copy yet) or keep serving the old copy."""
    reads = []
    started = threading.Event()

    def slow_board():
        reads.append(1)
        started.set()
        time.sleep(0.2)
        return {"read": len(reads)}

    monkeypatch.setattr(display.selectors, "board", slow_board)
    display.forget()
    boards: list[object] = []
    threads = [threading.Thread(target=lambda: boards.append(display.snapshot()))
               for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(reads) == 1 and boards == [{"read": 1}] * 20
    display._cached[:] = [(time.monotonic() - 3600, {"read": "old"})]  # an expired copy
    again: list[object] = []
    threads = [threading.Thread(target=lambda: again.append(display.snapshot()))
               for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(reads) == 2 and {"read": 2} in again
    assert all(board in ({"read": "old"}, {"read": 2}) for board in again)
    display.forget()
