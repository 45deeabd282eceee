"""Issuing and calling race-free: threads, each with its own connection (transactional test).

The numbering is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement, the SQL that
PostgreSQL and SQLite share; 'call next' takes the row with SKIP LOCKED where the database has
it and only while it is still queued.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections
from django.test import RequestFactory

from madoguchi.tickets import services
from madoguchi.tickets.models import Counter, DailySequence, Purpose, Ticket

THREADS = 12


def race(work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(THREADS)
    out: list[object] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            out[i] = work(i)
        except Exception as exc:  # reported by the assertions
            out[i] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_and_calling(demo):
    purpose = Purpose.objects.get(code="shomei")
    Ticket.objects.all().delete()
    DailySequence.objects.all().delete()
    numbers = race(lambda i: services.issue(purpose, channel="kiosk").number)
    assert sorted(numbers) == list(range(1, THREADS + 1)), numbers  # type: ignore[type-var]

    from madoguchi.staff.models import StaffMember

    clerks = list(StaffMember.objects.filter(department=purpose.department)
                  .select_related("user"))
    counters = list(Counter.objects.filter(department=purpose.department))

    def call(i: int) -> int | None:
        clerk = clerks[i % len(clerks)]
        request = RequestFactory().post("/")
        request.user = clerk.user
        ticket = services.call_next(request, clerk, counters[i % len(counters)])
        return ticket.pk if ticket else None

    called = race(call)
    assert not [c for c in called if isinstance(c, str)], called
    taken = [c for c in called if c is not None]
    assert len(taken) == len(set(taken))  # never the same ticket twice
    assert Ticket.objects.filter(state="called").count() == len(taken)
