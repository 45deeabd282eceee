"""Racing for the last seats: never more bookings than seats, whatever the concurrency.

Threads on every database (each thread its own connection, closed at the end); on PostgreSQL
also separate processes, each with its own connection, so the race is between real backends.
"""

from __future__ import annotations

import multiprocessing
import threading
import uuid

import pytest
from django.db import connection, connections

from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, Slot

from . import factories as f
from .race_worker import book_in_process

SEATS = 5
THREADS = 24
PROCESSES = 12


def _race(slot_id: int, n: int, barrier: threading.Barrier, results: list, idx: int) -> None:
    try:
        slot = Slot.objects.get(pk=slot_id)
        barrier.wait(timeout=30)
        try:
            services.book(slot, person=f.person(idx), request_token=uuid.uuid4().hex)
            results[idx] = "booked"
        except services.BookingRefused as exc:
            results[idx] = exc.code
    except Exception as exc:  # reported by the assertion below
        results[idx] = f"error: {exc!r}"
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_threads_race_for_the_last_seats(demo):
    slot = f.slot(capacity=SEATS + 2)
    # Two seats are already taken: the threads race for the last SEATS.
    services.book(slot, person=f.person(900), request_token=f.token())
    services.book(slot, person=f.person(901), request_token=f.token())
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS
    threads = [threading.Thread(target=_race, args=(slot.pk, THREADS, barrier, results, i))
               for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r for r in results if r not in ("booked", "full")] == []
    assert results.count("booked") == SEATS
    slot.refresh_from_db()
    assert slot.booked == slot.capacity
    assert Booking.objects.filter(slot=slot, status="confirmed").count() == slot.capacity


@pytest.mark.django_db(transaction=True)
def test_threads_double_click_makes_one_booking(demo):
    slot = f.slot(capacity=3)
    token = f.token()
    barrier = threading.Barrier(8)
    out: list = [None] * 8

    def click(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            out[i] = services.book(slot, person=f.person(), request_token=token).pk
        except Exception as exc:
            out[i] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 1 and isinstance(out[0], int), out
    assert Booking.objects.filter(slot=slot).count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="processes race on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_processes_race_for_the_last_seats(demo):
    slot = f.slot(capacity=SEATS)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    queue = ctx.Queue()
    name = connection.settings_dict["NAME"]
    procs = [ctx.Process(target=book_in_process, args=(name, slot.pk, i, start, queue))
             for i in range(PROCESSES)]
    for p in procs:
        p.start()
    start.set()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [r for r in results if r not in ("booked", "full")] == []
    assert results.count("booked") == SEATS
    assert Booking.objects.filter(slot=slot, status="confirmed").count() == SEATS
    assert Slot.objects.get(pk=slot.pk).booked == SEATS
