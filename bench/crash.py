#!/usr/bin/env python3
"""Crash benchmark: kill the servers with SIGKILL under load, restart them, count what was lost.

Run with no arguments (``.venv/bin/python bench/crash.py``); ``DATABASE_URL`` picks the
database. It starts the demo server the way ``make demo`` does (``manage.py serve``: web
workers and the task worker) with a fresh database, prepares signed-in residents with finished
drafts and a booking service with fewer seats than visitors, then runs, for BENCH_SECONDS:

* submitters: each sends the final POST of its resident's draft; a broken connection or a 5xx
  is retried with the same submission token (as a browser's reload would), until answered;
* bookers: new visitors book a slot of the service (GET the form, POST it), retrying likewise;
* notifiers: the payment provider's signed notifications (bench/payments.py's demo provider)
  for BENCH_PAYMENTS pending payments, each sent twice, retried until answered 200;
* the killer: every BENCH_KILL_EVERY seconds it sends SIGKILL to every process of the server
  (serve, the web workers, the task worker) at once and starts a new server on the same
  database, BENCH_KILLS times.

Then it waits for the task queue to drain and counts, from the database:

* ``acknowledged:`` submits answered with a receipt (302 to the submitted page), and
  ``lost:`` how many of those applications are not in the database;
* ``overbooked:`` seats booked beyond a slot's capacity (and ``bookings lost:``, confirmed
  bookings that are not in the database);
* ``payments paid:`` (must equal BENCH_PAYMENTS) and ``double charges:`` (must be 0);
* ``mails unsent:`` stored applications whose receipt e-mail never went out, and
  ``mails twice:`` those whose receipt e-mail went out more than once;
* ``tasks recovered:`` tasks that a killed task worker left RUNNING and another worker ran
  again (core.task_recovery; the bench lowers ``MADOGUCHI_TASK_RECOVERY_AFTER`` to
  BENCH_TASK_RECOVERY_AFTER seconds, default 30, and waits for them while it drains).

The last line is ``ratio:`` = lost ÷ acknowledged (must be 0).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
import uuid
from http.cookiejar import CookieJar
from typing import Any

# submit first: it re-runs this script under the project's virtualenv when httpx is missing.
import submit
from submit import (
    COUNT_ROWS,
    CREATE_RESIDENTS,
    SUBMITTED_PATH,
    BenchError,
    Resident,
    Server,
    env_int,
    location_path,
    log,
    make_clients,
    run_phase,
    spread,
    start_server,
    wait_until_healthy,
)

# isort: split
import httpx
import payments as pay_bench
import reservation_rush as rush

SUBMITTERS = env_int("BENCH_SUBMITTERS", 6)
BOOKERS = env_int("BENCH_BOOKERS", 6)
NOTIFIERS = env_int("BENCH_NOTIFIERS", 4)
PAYMENTS = env_int("BENCH_PAYMENTS", 120)
RESIDENTS = env_int("BENCH_RESIDENTS", 240)
SEATS = env_int("BENCH_SEATS", 60)
SECONDS = env_int("BENCH_SECONDS", 40)
KILLS = env_int("BENCH_KILLS", 2)
KILL_EVERY = env_int("BENCH_KILL_EVERY", 12)
DRAIN_SECONDS = env_int("BENCH_DRAIN_SECONDS", 120)
# The servers this bench starts inherit it: tasks of a killed worker run again within a minute.
os.environ.setdefault("MADOGUCHI_TASK_RECOVERY_AFTER",
                      str(env_int("BENCH_TASK_RECOVERY_AFTER", 30)))
RETRY_PAUSE = 0.3
CHECK_PATH = f"/apply/{submit.FORM_SLUG}/check/"

COUNT_OUTCOME = """
import json, os
from django_tasks_db.models import DBTaskResult
from madoguchi.applications.models import Application
from madoguchi.core.models import MailboxMessage

acknowledged = set(json.loads(os.environ["BENCH_ACKNOWLEDGED"]))
ours = Application.objects.filter(applicant__email__startswith=os.environ["BENCH_PREFIX"])
stored = {str(pk): receipt for pk, receipt in ours.values_list("public_id", "receipt_number")}
bodies = list(MailboxMessage.objects.filter(to__contains="@bench.example.jp").values_list(
    "body", flat=True))
sent = {receipt: sum(receipt in body for body in bodies) for receipt in stored.values()}
pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
print("BENCH-RESULT " + json.dumps({
    "stored": len(stored),
    "lost": len(acknowledged - set(stored)),
    "unsent": sum(1 for r in stored.values() if sent.get(r, 0) == 0),
    "twice": sum(1 for r in stored.values() if sent.get(r, 0) > 1),
    "pending_tasks": pending,
    "stuck_running": DBTaskResult.objects.filter(status="RUNNING").count(),
    "recovered": sum(len(ids) > 1 for ids in DBTaskResult.objects.values_list(
        "worker_ids", flat=True)),
}))
"""

# The payments are made for the bench's notifications only: the fee they were made under is
# removed again, so the submitters' form is still sent without payment.
NO_FEE = """
import json
from madoguchi.payments.models import FeeSchedule
FeeSchedule.objects.filter(procedure__slug="tsugaku-hojo").delete()
print("BENCH-RESULT " + json.dumps({}))
"""

PENDING_TASKS = """
import json
from django_tasks_db.models import DBTaskResult
print("BENCH-RESULT " + json.dumps({
    "ready": DBTaskResult.objects.filter(status="READY").count(),
    "running": DBTaskResult.objects.filter(status="RUNNING").count(),
}))
"""


class Crashes:
    """Kills the whole server with SIGKILL and starts it again, on a schedule."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.done = threading.Event()
        self.kills = 0
        self.restart_seconds: list[float] = []
        self.up = threading.Event()
        self.up.set()

    def kill_all(self) -> None:
        assert self.server.proc is not None
        pids = submit.process_tree(self.server.proc.pid)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.server.proc.wait(timeout=30)

    def restart(self) -> None:
        began = time.perf_counter()
        log_path = self.server.var_dir / f"server-{self.kills}.log"
        self.server.proc = start_server(self.server.env, self.server.port, log_path)
        wait_until_healthy(self.server.proc, self.server.base_url)
        self.restart_seconds.append(time.perf_counter() - began)

    def run(self) -> None:
        while self.kills < KILLS and not self.done.wait(KILL_EVERY):
            self.up.clear()
            self.kill_all()
            self.kills += 1
            log(f"killed the server (SIGKILL to every process), crash {self.kills}")
            try:
                self.restart()
            finally:
                self.up.set()
            log(f"restarted in {self.restart_seconds[-1]:.1f} s")


def retrying(action: Any, crashes: Crashes, deadline: float) -> Any:
    """Run ``action`` until it gets an answer (not a broken connection or a 5xx)."""
    while True:
        crashes.up.wait(timeout=60)
        try:
            return action()
        except (httpx.HTTPError, rush.ServerError):
            if time.monotonic() > deadline:
                raise
            time.sleep(RETRY_PAUSE)


def submit_until_answered(client: httpx.Client, resident: Resident, crashes: Crashes,
                          deadline: float) -> str | None:
    """The final POST, retried with the same token; the application's id when acknowledged."""
    client.cookies = resident.jar

    def post() -> httpx.Response:
        response = client.post(CHECK_PATH, data={"csrfmiddlewaretoken": resident.csrf,
                                                 "token": resident.token})
        if response.status_code >= 500:
            raise rush.ServerError(f"HTTP {response.status_code}")
        return response

    response = retrying(post, crashes, deadline)
    match = SUBMITTED_PATH.match(location_path(response))
    if response.status_code == 302 and match:
        return location_path(response).split("/")[3]
    # A reload after a lost answer may find the draft gone; the check page then says so.
    return None


def book_until_answered(client: httpx.Client, code: str, slot: int, n: int,
                        outcomes: rush.Outcomes, crashes: Crashes, deadline: float) -> str:
    jar = CookieJar()
    return retrying(lambda: rush.book_attempt(client, code, slot, n, outcomes, jar), crashes,
                    deadline)


def measure(server: Server, clients: list[httpx.Client]) -> dict[str, bool]:
    prefix = f"crash{os.getpid()}-"
    created = server.shell(CREATE_RESIDENTS, {
        "BENCH_RESIDENTS": str(RESIDENTS), "BENCH_PREFIX": prefix,
        "BENCH_PASSWORD": uuid.uuid4().hex,
    })
    residents = []
    for number, key in enumerate(created["keys"]):
        resident = Resident(number)
        httpx.Cookies(resident.jar).set(created["cookie"], key, domain=submit.HOST)
        residents.append(resident)
    made = server.shell(rush.CREATE_SERVICE, {"BENCH_SEATS": str(SEATS),
                                              "BENCH_SEATS_PER_SLOT": "5", "BENCH_RATE": "0"})
    made_payments = server.shell(pay_bench.CREATE_PAYMENTS, {
        "BENCH_PAYMENTS": str(PAYMENTS), "BENCH_FAILED_FIRST": "0"})
    server.shell(NO_FEE)
    secret = pay_bench.demo_secret(server)
    notices = [(pay_bench.notification(c["charge"], n), secret)
               for n, c in enumerate(made_payments["charges"])] * 2
    clients.extend(make_clients(server.base_url, SUBMITTERS + BOOKERS + NOTIFIERS))
    submitters = clients[:SUBMITTERS]
    bookers = clients[SUBMITTERS:SUBMITTERS + BOOKERS]
    notifiers = clients[SUBMITTERS + BOOKERS:]
    prepared = run_phase("prepare", submitters, spread(residents, SUBMITTERS),
                         lambda c, r: r.prepare(c))
    ready = [r for r in residents if r.token]
    log(f"{len(ready)} drafts ready; {SEATS} seats for {BOOKERS} bookers")

    crashes = Crashes(server)
    deadline = time.monotonic() + SECONDS
    acknowledged: list[str] = []
    unanswered: list[str] = []
    booked = [0]
    outcomes = rush.Outcomes()
    lock = threading.Lock()

    def submitter(client: httpx.Client, mine: list[Resident]) -> None:
        for resident in mine:
            if time.monotonic() > deadline:
                return
            try:
                found = submit_until_answered(client, resident, crashes, deadline + 60)
            except (httpx.HTTPError, rush.ServerError) as exc:
                with lock:
                    unanswered.append(str(exc))
                continue
            if found:
                with lock:
                    acknowledged.append(found)

    def booker(client: httpx.Client, number: int) -> None:
        n = number
        slots = made["slots"]
        while time.monotonic() < deadline:
            try:
                outcome = book_until_answered(client, made["code"], slots[n % len(slots)], n,
                                              outcomes, crashes, deadline + 60)
            except (httpx.HTTPError, rush.ServerError, rush.Unexpected) as exc:
                with lock:
                    unanswered.append(str(exc))
                outcome = ""
            if outcome == "booked":
                with lock:
                    booked[0] += 1
            n += BOOKERS

    notified = [0]

    def notifier(client: httpx.Client, mine: list[tuple[bytes, bytes]]) -> None:
        for item in mine:
            try:
                retrying(lambda item=item: pay_bench.send(client, item), crashes,
                         deadline + 60)
            except (httpx.HTTPError, rush.ServerError, RuntimeError) as exc:
                with lock:
                    unanswered.append(str(exc))
                continue
            with lock:
                notified[0] += 1
            time.sleep(SECONDS / max(len(mine), 1) / 2)  # spread over the load, crashes included

    killer = threading.Thread(target=crashes.run, daemon=True)
    threads = [threading.Thread(target=submitter, args=(c, w), daemon=True)
               for c, w in zip(submitters, spread(ready, SUBMITTERS), strict=True)]
    threads += [threading.Thread(target=booker, args=(c, i), daemon=True)
                for i, c in enumerate(bookers)]
    threads += [threading.Thread(target=notifier, args=(c, w), daemon=True)
                for c, w in zip(notifiers, spread(notices, NOTIFIERS), strict=True)]
    killer.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 180)
    crashes.done.set()
    killer.join(240)

    drained_at = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < drained_at:
        pending = server.shell(PENDING_TASKS)
        if pending["ready"] == 0 and pending["running"] == 0:
            break
        time.sleep(2)
    outcome = server.shell(COUNT_OUTCOME, {"BENCH_PREFIX": prefix,
                                           "BENCH_ACKNOWLEDGED": json.dumps(acknowledged)})
    check = server.shell(rush.CHECK_BOOKINGS, {"BENCH_SERVICE": str(made["service"])})
    counts = server.shell(COUNT_ROWS, {"BENCH_PREFIX": prefix})
    paid = server.shell(pay_bench.CHECK_PAYMENTS, {"BENCH_TAG": made_payments["tag"]})
    lost = outcome["lost"]
    bookings_lost = max(0, booked[0] - check["bookings"])
    print(f"database: {server.db.kind}")
    print(f"crashes: {crashes.kills}")
    print(f"restart s: {max(crashes.restart_seconds, default=0.0):.1f}")
    print(f"acknowledged: {len(acknowledged)}")
    print(f"applications stored: {outcome['stored']}")
    print(f"unanswered (gave up): {len(unanswered)}")
    print(f"lost: {lost}")
    print(f"bookings acknowledged: {booked[0]}")
    print(f"bookings stored: {check['bookings']}")
    print(f"bookings lost: {bookings_lost}")
    print(f"overbooked: {check['overbooked'] + check['counter_mismatch']}")
    print(f"notifications answered: {notified[0]}")
    print(f"payments paid: {paid['paid']}")
    print(f"double charges: {paid['double']}")
    print(f"mails unsent: {outcome['unsent']}")
    print(f"mails twice: {outcome['twice']}")
    print(f"tasks stuck running: {outcome['stuck_running']}")
    print(f"tasks recovered: {outcome['recovered']}")
    print(f"receipt numbers missing: {counts['applications'] - counts['with_receipt']}")
    print(f"ratio: {lost / max(len(acknowledged), 1):.3f}", flush=True)
    if prepared.errors:
        log(f"{prepared.errors} drafts could not be prepared")
    return {
        "an acknowledged application is lost": lost == 0,
        "a slot is overbooked": check["overbooked"] + check["counter_mismatch"] == 0,
        "an acknowledged booking is lost": bookings_lost == 0,
        f"payments paid {paid['paid']} != {PAYMENTS}": paid["paid"] == PAYMENTS,
        "a payment was charged twice": paid["double"] == 0,
        "a receipt mail was never sent": outcome["unsent"] == 0,
        "a receipt mail was sent twice": outcome["twice"] == 0,
        "the server was never killed": crashes.kills == KILLS,
    }


def main() -> int:
    if SEATS >= BOOKERS * SECONDS:
        raise BenchError("BENCH_SEATS must be fewer than the bookers can try to book")
    return submit.run_with_server(measure)


if __name__ == "__main__":
    log(f"{SUBMITTERS} submitters, {BOOKERS} bookers, {KILLS} crashes every {KILL_EVERY} s, "
        f"{SECONDS} s of load")
    submit.run_script(main)
