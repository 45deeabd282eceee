#!/usr/bin/env python3
"""Waiting-room benchmark: how many waiting visitors one server holds, and that the admitted
ones still book quickly while the waiting page is hammered.

Run with no arguments (``make bench`` or ``.venv/bin/python bench/waiting_room.py``). It starts
the demo server the way ``make demo`` does (fresh database; the helpers of bench/submit.py and
bench/reservation_rush.py), opens a service with a waiting room (``admission_per_minute`` 60,
bookings open now), and then:

1. Not timed: the bookers (25 clients) arrive first and get admitted tickets (the first
   minute's worth is let in at once). The queue counter is then moved on by 100,000, as if
   that many visitors had arrived, and the waiting visitors (500 clients) arrive: each GETs
   the booking page, is sent to the waiting page, and keeps its ticket cookie.
2. Floor: the 500 clients send ``POST /bench/floor/``, 20 each.
3. Waiting page, 30 s: the 500 clients poll their waiting page (the URL of its ``Refresh``
   header) one request after another, as fast as they can.
4. Waiting page + bookings, 30 s: the 500 clients poll at a steady pace, together half the
   rate measured in 3 (as a crowd of waiting visitors reloading every 30 s would), while the
   25 bookers book one guest after another (GET the form, POST it, a pause of 5 s).

``ratio:`` (waiting-page polls/s ÷ floor requests/s) is the last line. It exits non-zero when a
request failed on the server's side, a poll did not get the waiting page, a booking was not
made or stored, or the bookings' p99 was 1 s or more. See bench/README.md.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
# submit first: it re-runs this script under the project's virtualenv when httpx is missing.
import submit
from submit import BenchError, env_int, log, run_phase, spread

# isort: split
import httpx
import reservation_rush as rush

WAITING_CLIENTS = env_int("BENCH_WAITING_CLIENTS", 500)
FLOOR_PER_CLIENT = env_int("BENCH_FLOOR_PER_CLIENT", 20)
POLL_SECONDS = env_int("BENCH_POLL_SECONDS", 30)
BOOKERS = env_int("BENCH_BOOKERS", 25)
RATE = env_int("BENCH_ADMISSION_PER_MINUTE", 60)
QUEUE_AHEAD = env_int("BENCH_QUEUE_AHEAD", 100_000, minimum=0)
SEATS = env_int("BENCH_WAITING_SEATS", 2000)
# Seconds between one booker's bookings. 25 bookers at one booking every ~5 s make about 300
# bookings a minute, five times what an admission rate of 60 a minute lets in.
BOOKER_PAUSE = float(os.environ.get("BENCH_BOOKER_PAUSE", "5"))
HAMMER_SHARE = float(os.environ.get("BENCH_HAMMER_SHARE", "0.5"))
REFRESH_PERIOD = 30  # the waiting page reloads every 30 s while the wait is longer

if BOOKERS > RATE:
    sys.exit("BENCH_BOOKERS must not exceed BENCH_ADMISSION_PER_MINUTE (the bookers must all "
             "be in the first minute's admissions)")

MOVE_QUEUE = """
import json, os
from django.db.models import F
from madoguchi.reservations.models import QueueCounter
service = int(os.environ["BENCH_SERVICE"])
QueueCounter.objects.filter(service_id=service).update(
    issued=F("issued") + int(os.environ["BENCH_QUEUE_AHEAD"]))
print("BENCH-RESULT " + json.dumps(QueueCounter.objects.get(service_id=service).issued))
"""


class Visitor:
    """One browser: its cookies (the ticket) and where it is sent."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.waiting_url = ""

    def arrive(self, client: httpx.Client, booking_path: str) -> str:
        """GET the booking page and follow the redirects; "admitted" or "waiting"."""
        client.cookies = self.jar
        path = booking_path
        for _ in range(4):
            response = rush.send(client, "GET", path)
            if response.status_code == 302:
                location = response.headers["location"]
                path = urlsplit(location).path + (
                    "?" + urlsplit(location).query if urlsplit(location).query else "")
                continue
            if response.status_code != 200:
                raise rush.Unexpected(f"GET {path}: HTTP {response.status_code}")
            if path.startswith(booking_path):
                return "admitted"
            refresh = response.headers.get("refresh", "")
            if "; url=" not in refresh or "waiting-room" not in response.text:
                raise rush.Unexpected(f"GET {path}: not the waiting page")
            self.waiting_url = refresh.split("; url=", 1)[1]
            return "waiting"
        raise rush.Unexpected(f"GET {booking_path}: too many redirects")

    def poll(self, client: httpx.Client) -> None:
        client.cookies = self.jar
        response = rush.send(client, "GET", self.waiting_url)
        if response.status_code != 200 or "waiting-room" not in response.text:
            raise rush.Unexpected(f"GET {self.waiting_url}: HTTP {response.status_code}")


def arrive_all(name: str, clients: list[httpx.Client], visitors: list[Visitor], path: str,
               expected: str) -> None:
    def arrive(client: httpx.Client, visitor: Visitor) -> None:
        got = visitor.arrive(client, path)
        if got != expected:
            raise rush.Unexpected(f"{name}: {got}, expected {expected}")

    result = run_phase(name, clients, spread(visitors, len(clients)), arrive)
    if result.errors:
        raise BenchError(f"{name}: {result.errors} visitors did not arrive as expected")


def poll_for(name: str, clients: list[httpx.Client], visitors: list[Visitor],
             seconds: int, interval: float = 0.0, server_pid: int | None = None) -> Any:
    """Every client polls its visitor's waiting page for ``seconds``: one request after
    another, or with ``interval`` one every ``interval`` seconds (first at a random offset);
    returns a PhaseResult (latencies of the good polls, errors)."""
    result = submit.PhaseResult(name, planned=0)
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def worker(client: httpx.Client, visitor: Visitor) -> None:
        latencies, errors, messages = [], 0, []
        barrier.wait()
        due = time.monotonic() + random.uniform(0, interval)
        while time.monotonic() < deadline[0]:
            if interval:
                if due >= deadline[0]:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
                due += interval
            began = time.perf_counter()
            try:
                visitor.poll(client)
            except Exception as exc:  # any failed poll is an error
                errors += 1
                messages.append(str(exc))
            else:
                latencies.append(time.perf_counter() - began)
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.messages.extend(messages)

    threads = [threading.Thread(target=worker, args=(c, v), daemon=True)
               for c, v in zip(clients, visitors, strict=True)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    server_before = submit.cpu_seconds(server_pid) if server_pid else 0.0
    cpu_before = time.process_time()
    began = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join(seconds + rush.REQUEST_TIMEOUT + 10)
    result.seconds = time.perf_counter() - began
    result.client_cpu_seconds = time.process_time() - cpu_before
    if server_pid:
        result.server_cpu_seconds = submit.cpu_seconds(server_pid) - server_before
    result.planned = result.ok + result.errors
    for message in result.messages[:5]:
        log(f"{name}: {message}")
    log(f"{name}: {result.ok} polls ok, {result.errors} failed in {result.seconds:.1f} s "
        f"(this client process used {result.client_cpu_seconds:.1f} s of CPU)")
    return result


def measure(server: submit.Server, opened: list[httpx.Client]) -> dict[str, bool]:
    """Open the service with its waiting room, run the phases, print the figures; the musts."""
    made = server.shell(rush.CREATE_SERVICE, {
        "BENCH_SEATS": str(SEATS), "BENCH_SEATS_PER_SLOT": "10",
        "BENCH_RATE": str(RATE),
    })
    code, slots = made["code"], made["slots"]
    booking_path = f"/reservations/{code}/slot/{slots[0]}/"
    booker_clients = submit.make_clients(server.base_url, BOOKERS, rush.REQUEST_TIMEOUT)
    opened.extend(booker_clients)
    clients = submit.make_clients(server.base_url, WAITING_CLIENTS, rush.REQUEST_TIMEOUT)
    opened.extend(clients)

    bookers = [Visitor() for _ in range(BOOKERS)]
    arrive_all("bookers arrive", booker_clients, bookers, booking_path, "admitted")
    issued = server.shell(MOVE_QUEUE, {"BENCH_SERVICE": str(made["service"]),
                                       "BENCH_QUEUE_AHEAD": str(QUEUE_AHEAD)})
    log(f"queue counter moved on to {issued}")
    waiting = [Visitor() for _ in range(WAITING_CLIENTS)]
    arrive_all("waiting visitors arrive", clients, waiting, booking_path, "waiting")

    total_polls = WAITING_CLIENTS * FLOOR_PER_CLIENT
    floor = submit.floor_phase(server, clients, total_polls)

    polls = poll_for("waiting page", clients, waiting, POLL_SECONDS,
                     server_pid=server.proc.pid if server.proc else None)

    # The waiting page under a steady load below what it can serve: as many polls a
    # second as HAMMER_SHARE of the rate just measured (real visitors poll every 30 s).
    paced_rate = max(1.0, HAMMER_SHARE * polls.per_second)
    outcomes = rush.Outcomes()
    stop = threading.Event()
    booker_errors: list[str] = []
    next_attempt = iter(range(SEATS))
    attempt_lock = threading.Lock()

    def booker(client: httpx.Client, visitor: Visitor) -> None:
        time.sleep(0.5)  # let the pollers start first
        while not stop.is_set():
            with attempt_lock:
                n = next(next_attempt, None)
            if n is None:
                return
            slot_id = slots[n // 10]  # ten seats a slot, filled in order
            try:
                rush.book_attempt(client, code, slot_id, n, outcomes, visitor.jar)
            except (rush.ServerError, rush.Unexpected) as exc:
                booker_errors.append(str(exc))
            stop.wait(BOOKER_PAUSE)

    threads = [threading.Thread(target=booker, args=(c, v), daemon=True)
               for c, v in zip(booker_clients, bookers, strict=True)]
    for thread in threads:
        thread.start()
    try:
        mixed = poll_for("waiting page + bookings", clients, waiting, POLL_SECONDS,
                         interval=len(waiting) / paced_rate)
    finally:
        stop.set()
        for thread in threads:
            thread.join(rush.REQUEST_TIMEOUT * 2 + 5)
    for message in booker_errors[:5]:
        log(f"booking: {message}")
    check = server.shell(rush.CHECK_BOOKINGS, {"BENCH_SERVICE": str(made["service"])})

    counts = outcomes.counts
    attempts = sum(counts.values())
    booking_ms = [g + p for g, p in zip(outcomes.get_latencies,
                                        outcomes.post_latencies, strict=False)]
    booking_p99 = rush.percentile_ms(booking_ms, 99) if booking_ms else float("nan")
    ratio = polls.per_second / floor.per_second if floor.per_second else 0.0
    print(f"database: {server.db.kind}")
    print(f"waiting clients: {WAITING_CLIENTS}")
    print(f"bookers: {BOOKERS}")
    print(f"web workers: {server.env.get('WEB_WORKERS', '2')}")
    print(f"load average at start: {server.load_at_start:.2f}")
    print(f"admission per minute: {RATE}")
    print(f"tickets issued: {issued + WAITING_CLIENTS}")
    print(f"floor requests: {floor.ok}")
    print(f"floor/s: {floor.per_second:.1f}")
    print(f"floor p99 ms: {floor.percentile_ms(99):.1f}")
    print(f"floor driver: {floor.driver}")
    submit.print_client_share(polls, floor)
    print(f"waiting polls: {polls.ok}")
    print(f"waiting poll errors: {polls.errors}")
    print(f"waiting/s: {polls.per_second:.1f}")
    print(f"waiting p50 ms: {polls.percentile_ms(50):.1f}")
    print(f"waiting p99 ms: {polls.percentile_ms(99):.1f}")
    print(f"waiting visitors held (one poll per {REFRESH_PERIOD} s): "
          f"{polls.per_second * REFRESH_PERIOD:.0f}")
    print(f"waiting/s while booking: {mixed.per_second:.1f}")
    print(f"waiting visitors held while booking (one poll per {REFRESH_PERIOD} s): "
          f"{mixed.per_second * REFRESH_PERIOD:.0f}")
    print(f"waiting p99 ms while booking: {mixed.percentile_ms(99):.1f}")
    print(f"bookings during the polling: {counts['booked']}")
    print(f"booking attempts not booked: {attempts - counts['booked']}")
    print(f"booking p50 ms: {rush.percentile_ms(booking_ms, 50):.1f}")
    print(f"booking p99 ms: {booking_p99:.1f}")
    print(f"bookings stored: {check['bookings']}")
    print(f"overbooked: {check['overbooked'] + check['counter_mismatch']}")
    server_errors = (counts["server error"] + counts["timeout"] + polls.errors
                     + mixed.errors + floor.errors)
    print(f"server errors: {server_errors}")
    print(f"ratio: {ratio:.2f}", flush=True)
    return {
        "waiting-page polls failed": polls.errors + mixed.errors == 0,
        "floor requests failed": floor.errors == 0,
        "booking attempts failed": attempts == counts["booked"] and not booker_errors,
        "no booking was made": counts["booked"] > 0,
        "bookings stored != booked answers": check["bookings"] == counts["booked"],
        "overbooked": check["overbooked"] + check["counter_mismatch"] == 0,
        "booking p99 >= 1000 ms": booking_p99 < 1000,
    }


def main() -> int:
    return submit.run_with_server(measure)


if __name__ == "__main__":
    submit.run_script(main)
