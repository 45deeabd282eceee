#!/usr/bin/env python3
"""Reservation rush benchmark: 5,000 booking attempts for 300 seats from 500 clients at once.

Run with no arguments (``make bench`` or ``.venv/bin/python bench/reservation_rush.py``). It
starts the demo server the way ``make demo`` does (``manage.py serve``, fresh database, see
bench/submit.py, whose server and client helpers it uses), opens a service whose slots hold 300
seats in all, and then, with the same 500 concurrent clients on the same server, measures:

* floor: ``POST /bench/floor/`` (one row inserted, JSON answer), 5,000 times;
* rush:  5,000 booking attempts, each by a new guest (own cookies, own name, phone and
  e-mail): ``GET /reservations/<code>/slot/<id>/`` for the CSRF token and the form's
  ``request_token``, then ``POST`` the form. 300 of them get a seat (302 to the confirmation),
  the others are told the time is full (409).

The service has no waiting room (``admission_per_minute`` 0): this measures the booking path
itself under a crowd. ``bench/waiting_room.py`` measures the waiting room.

It prints ``name: value`` lines, ``ratio:`` (rush attempts/s ÷ floor requests/s) last, and exits
non-zero unless the database holds exactly 300 bookings, no slot is overbooked and no request
failed on the server's side. See bench/README.md.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
# submit first: it re-runs this script under the project's virtualenv when httpx is missing.
import submit  # the server, database and client helpers of bench/submit.py
from submit import (
    CSRF_INPUT,
    BenchError,
    Server,
    env_int,
    floor_phase,
    floor_request,
    log,
    print_client_share,
    run_phase,
    run_with_server,
    spread,
)

# isort: split
import httpx

# Phases here are longer than the submit benchmark's: allow 10 minutes each unless told.
submit.PHASE_TIME_LIMIT = submit.env_float("BENCH_TIME_LIMIT", 600.0)

# A browser waits minutes for an answer (Chromium: 300 s); 30 s as in submit.py would count a
# crowd's queueing as failures. Timeouts still count as server errors.
REQUEST_TIMEOUT = submit.env_float("BENCH_REQUEST_TIMEOUT", 120.0)

SEATS = env_int("BENCH_SEATS", 300)
SEATS_PER_SLOT = env_int("BENCH_SEATS_PER_SLOT", 10)
RUSH_CLIENTS = env_int("BENCH_RUSH_CLIENTS", 500)
ATTEMPTS = env_int("BENCH_ATTEMPTS", 5000)

TOKEN_INPUT = re.compile(r"""<input[^>]*name=["']request_token["'][^>]*>""")
CONFIRMATION = re.compile(r"^/reservations/manage/[0-9a-f-]{36}/[^/]+/done/$")

# A service and its slots, made through the ORM in the server's database (not timed).
# BENCH_RATE > 0 turns the waiting room on (bench/waiting_room.py); here it is 0.
CREATE_SERVICE = """
import datetime as dt, json, os, uuid
from django.utils import timezone
from madoguchi.reservations.models import Room, Service, Slot, Venue
from madoguchi.staff.models import Department

seats, per_slot = int(os.environ["BENCH_SEATS"]), int(os.environ["BENCH_SEATS_PER_SLOT"])
rate = int(os.environ.get("BENCH_RATE", "0"))
suffix = uuid.uuid4().hex[:8]
department = (Department.objects.filter(code="kenko").first()
              or Department.objects.order_by("id").first())
venue = Venue.objects.create(code=f"bench-venue-{suffix}", department=department,
                             name={"ja": "ベンチ会場", "en": "Bench venue"})
room = Room.objects.create(venue=venue, name={"ja": "第1会議室", "en": "Room 1"})
now = timezone.now()
service = Service.objects.create(
    code=f"bench-rush-{suffix}", department=department,
    name={"ja": "ベンチ検診", "en": "Bench screening"}, duration_minutes=30, capacity=per_slot,
    bookings_open_at=now - dt.timedelta(seconds=1) if rate else None,
    admission_per_minute=rate, bookable_days_ahead=365, change_deadline_days=0,
)
slots, left, n = [], seats, 0
first_day = timezone.localdate() + dt.timedelta(days=7)
while left > 0:
    day = first_day + dt.timedelta(days=n // 10)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))) + dt.timedelta(
        minutes=30 * (n % 10))
    capacity = min(per_slot, left)
    slots.append(Slot(service=service, room=room, starts_at=starts,
                      ends_at=starts + dt.timedelta(minutes=30), capacity=capacity))
    left -= capacity
    n += 1
Slot.objects.bulk_create(slots)
ids = list(Slot.objects.filter(service=service).order_by("starts_at").values_list("id", flat=True))
print("BENCH-RESULT " + json.dumps({"code": service.code, "service": service.pk, "slots": ids}))
"""

CHECK_BOOKINGS = """
import json, os
from django.db.models import Count, Q, Sum
from madoguchi.reservations.models import Booking, Slot

service = int(os.environ["BENCH_SERVICE"])
active = Q(bookings__status__in=Booking.ACTIVE)
slots = Slot.objects.filter(service_id=service).annotate(n=Count("bookings", filter=active))
print("BENCH-RESULT " + json.dumps({
    "bookings": Booking.objects.filter(service_id=service, status__in=Booking.ACTIVE).count(),
    "capacity": slots.aggregate(c=Sum("capacity"))["c"] or 0,
    "overbooked": sum(max(0, s.n - s.capacity) for s in slots),
    "counter_mismatch": sum(1 for s in slots if s.booked != s.n),
}))
"""


class ServerError(Exception):
    """A 5xx answer, a timeout or a broken connection: the server failed the visitor."""


class TimedOut(ServerError):
    """No answer within REQUEST_TIMEOUT."""


class Unexpected(Exception):
    """An answer the booking pages should never give to this well-formed attempt."""


def hidden(pattern: Any, html: str) -> str | None:
    return submit.hidden_value(pattern, html)


def guest_answers(n: int) -> dict[str, str]:
    """A distinct guest person for attempt ``n``."""
    return {
        "family_name": "緑川", "given_name": f"利用者{n}",
        "family_kana": "ミドリカワ", "given_kana": "リヨウシャ",
        "birth_date": f"{1940 + n % 60}-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        "sex": ("female", "male")[n % 2],
        "phone": f"090-{1000 + n // 10000 % 9000:04d}-{n % 10000:04d}",
        "email": f"rush{n}@example.jp",
    }


@dataclass
class Outcomes:
    """What the attempts got, counted across the client threads."""

    counts: Counter = field(default_factory=Counter)
    get_latencies: list[float] = field(default_factory=list)
    post_latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: str, get_s: float | None = None, post_s: float | None = None) -> None:
        with self.lock:
            self.counts[outcome] += 1
            if get_s is not None:
                self.get_latencies.append(get_s)
            if post_s is not None:
                self.post_latencies.append(post_s)


def send(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    try:
        response = client.request(method, path, **kwargs)
    except httpx.TimeoutException as exc:
        raise TimedOut(f"{method} {path}: no answer within {REQUEST_TIMEOUT:.0f} s") from exc
    except httpx.HTTPError as exc:
        raise ServerError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500:
        raise ServerError(f"{method} {path}: HTTP {response.status_code}")
    return response


def book_attempt(client: httpx.Client, code: str, slot_id: int, n: int,
                 outcomes: Outcomes, jar: CookieJar | None = None) -> str:
    """One guest: GET the form, POST it. Returns "booked" or "full"; raises on anything else."""
    client.cookies = jar if jar is not None else CookieJar()  # a new visitor
    path = f"/reservations/{code}/slot/{slot_id}/"
    began = time.perf_counter()
    try:
        page = send(client, "GET", path)
    except ServerError as exc:
        outcomes.add("timeout" if isinstance(exc, TimedOut) else "server error")
        raise
    got = time.perf_counter()
    if page.status_code != 200:
        outcomes.add("unexpected")
        raise Unexpected(f"GET {path}: HTTP {page.status_code} "
                         f"{page.headers.get('location', '')}")
    csrf, token = hidden(CSRF_INPUT, page.text), hidden(TOKEN_INPUT, page.text)
    if not csrf or not token:
        outcomes.add("unexpected")
        raise Unexpected(f"GET {path}: no csrfmiddlewaretoken or request_token")
    data = {"csrfmiddlewaretoken": csrf, "request_token": token, **guest_answers(n)}
    try:
        response = send(client, "POST", path, data=data)
    except ServerError as exc:
        outcomes.add("timeout" if isinstance(exc, TimedOut) else "server error", got - began)
        raise
    posted = time.perf_counter()
    location = urlsplit(response.headers.get("location", "")).path
    if response.status_code == 302 and CONFIRMATION.match(location):
        outcomes.add("booked", got - began, posted - got)
        return "booked"
    if response.status_code == 409:
        outcomes.add("full", got - began, posted - got)
        return "full"
    outcomes.add("unexpected", got - began, posted - got)
    raise Unexpected(f"POST {path}: HTTP {response.status_code} {location}")


def percentile_ms(values: list[float], p: int) -> float:
    result = submit.PhaseResult("x", 0, latencies=values)
    return result.percentile_ms(p)


def warm_up(clients: list[httpx.Client], code: str, slots: list[int]) -> None:
    """Not timed: every client opens its connection, and the workers load their code and
    templates, with one floor request and one booking-form GET each."""

    def visit(client: httpx.Client, n: int) -> None:
        floor_request(client, -n - 1)
        client.cookies = CookieJar()
        path = f"/reservations/{code}/slot/{slots[n % len(slots)]}/"
        if send(client, "GET", path).status_code != 200:
            raise Unexpected(f"GET {path} while warming up")

    result = run_phase("warm-up", clients, [[n] for n in range(len(clients))], visit)
    if result.errors:
        raise BenchError("the server failed while warming up")


def measure(server: Server, clients: list[httpx.Client]) -> dict[str, bool]:
    """Open the service, time the floor and the rush, print the figures; the musts."""
    made = server.shell(CREATE_SERVICE, {
        "BENCH_SEATS": str(SEATS), "BENCH_SEATS_PER_SLOT": str(SEATS_PER_SLOT),
        "BENCH_RATE": "0",
    })
    code, slots = made["code"], made["slots"]
    log(f"service {code}: {len(slots)} slots, {SEATS} seats")
    clients.extend(submit.make_clients(server.base_url, RUSH_CLIENTS, REQUEST_TIMEOUT))

    warm_up(clients, code, slots)
    assert server.proc is not None
    floor = floor_phase(server, clients, ATTEMPTS)
    outcomes = Outcomes()
    # Attempt n asks for slot n mod slots: every slot is wanted by many at once.
    attempts = [(slots[n % len(slots)], n) for n in range(ATTEMPTS)]
    rush = run_phase(
        "rush", clients, spread(attempts, RUSH_CLIENTS),
        lambda c, a: book_attempt(c, code, a[0], a[1], outcomes), server.proc.pid,
    )
    check = server.shell(CHECK_BOOKINGS, {"BENCH_SERVICE": str(made["service"])})

    counts = outcomes.counts
    not_run = rush.planned - sum(counts.values())
    server_errors = counts["server error"] + counts["timeout"] + not_run
    attempts_per_s = rush.ok / rush.seconds if rush.seconds else 0.0
    ratio = attempts_per_s / floor.per_second if floor.per_second else 0.0
    print(f"database: {server.db.kind}")
    print(f"clients: {RUSH_CLIENTS}")
    print(f"web workers: {server.env.get('WEB_WORKERS', '2')}")
    print(f"load average at start: {server.load_at_start:.2f}")
    print(f"seats: {check['capacity']}")
    print(f"attempts: {rush.planned}")
    print(f"booked answers: {counts['booked']}")
    print(f"full answers: {counts['full']}")
    print(f"unexpected answers: {counts['unexpected']}")
    print(f"seats booked: {check['bookings']}")
    print(f"overbooked: {check['overbooked'] + check['counter_mismatch']}")
    print(f"server errors: {server_errors}")
    print(f"timeouts (in server errors): {counts['timeout']}")
    print(f"attempts not run in the time limit (in server errors): {not_run}")
    print(f"rush seconds: {rush.seconds:.2f}")
    print(f"p50 ms: {rush.percentile_ms(50):.1f}")
    print(f"p99 ms: {rush.percentile_ms(99):.1f}")
    print(f"form GET p99 ms: {percentile_ms(outcomes.get_latencies, 99):.1f}")
    print(f"booking POST p99 ms: {percentile_ms(outcomes.post_latencies, 99):.1f}")
    print(f"attempts/s: {attempts_per_s:.1f}")
    print(f"floor requests: {floor.ok}")
    print(f"floor errors: {floor.errors}")
    print(f"floor/s: {floor.per_second:.1f}")
    print(f"floor p99 ms: {floor.percentile_ms(99):.1f}")
    print(f"floor driver: {floor.driver}")
    print_client_share(rush, floor)
    print(f"ratio: {ratio:.2f}", flush=True)
    return {
        f"seats booked {check['bookings']} != {SEATS}": check["bookings"] == SEATS,
        "seats booked != booked answers": check["bookings"] == counts["booked"],
        "a slot is overbooked": check["overbooked"] == 0,
        "a slot's booked counter is wrong": check["counter_mismatch"] == 0,
        "server errors": server_errors == 0,
        "unexpected answers": counts["unexpected"] == 0,
        "floor errors": floor.errors == 0,
        f"slots hold {check['capacity']} seats, not {SEATS}": check["capacity"] == SEATS,
    }


def main() -> int:
    return run_with_server(measure)


if __name__ == "__main__":
    submit.run_script(main)
