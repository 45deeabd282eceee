#!/usr/bin/env python3
"""Counter benchmark: the resident registry's file import and look-up, and the calling display.

Run with no arguments (``.venv/bin/python bench/counter.py``); ``DATABASE_URL`` picks the
database (without it, SQLite files in temporary directories). Two parts:

1. **Registry (in this process, a throw-away database).** The demo's fictional registry extract
   (``madoguchi.demo.registry``: 緑ヶ丘市, names with 異体字 and 外字, 30% of the birth dates in
   和暦) is written at 10,000 and 100,000 residents and each imported into an empty registry
   through the file-import connector (both passes: validation, then the batched write in one
   transaction): once plainly for the time (``import s:``), once more under tracemalloc for
   the peak of Python's memory (``import peak MB:``; tracemalloc slows allocations about
   threefold, so its pass is not timed). Then BENCH_REGISTRY_RESIDENTS (10^6) residents are
   loaded in bulk (``load s:``: the rows the import would write, sealed and blind-indexed
   for real, by COPY on PostgreSQL), the look-ups are planned (``search full scans
   planned:``, by EXPLAIN) and 500 of them timed (``registry.selectors.search``, households
   included): a family name (異体字 folded), a whole furigana, a birth date with the family
   name, a 住民票コード and an address area, in turn. Last, a new extract of 10^6 rows with
   a bad row 10 rows before its end is imported over them: refused, naming the row, and
   nothing changed (``hostile rows:``, ``hostile s:``, then ``hostile peak MB:`` under tracemalloc).
2. **Calling display (the demo server, started as bench/submit.py does).** 400 tickets are
   issued for 市民課's 異動届 and a clerk's signed-in session (both factors, counter 1) is made
   with ``manage.py shell``. 500 clients (threads, one connection each) then poll one request
   after another, half ``GET /tickets/display/`` (a display without JavaScript reloading the
   page), half ``GET /tickets/display/board/`` (the fragment the display's script fetches),
   for 15 s while the clerk calls the next ticket (``POST /staff/tickets/call/``) every
   second. Queries are counted in the server
   (``madoguchi.benchfloor.probe``: every statement run while serving a display request,
   summed over the web workers through ``GET /bench/display-queries/``).

Prints ``name: value`` lines (see bench/README.md); the last is ``ratio:`` = import peak MB at
10^5 rows ÷ at 10^4 rows (about 1 when the import's memory does not grow with the file).
Exit status 1 when a display poll or a call failed or the display does not show the last call,
2 when the server could not be started.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# submit first: it re-runs this script under the project's virtualenv when httpx is missing.
import submit
from submit import CSRF_INPUT, Server, env_int, hidden_value, log, make_clients

# isort: split
import httpx
from _django import percentile, throwaway_database, timed, use_project_django

use_project_django()
SIZES = (10_000, 100_000)
RESIDENTS = env_int("BENCH_REGISTRY_RESIDENTS", 1_000_000)  # loaded in bulk for the look-ups
LOAD_BATCH = 10_000
HOSTILE_FROM_END = 10
QUERIES = 500
WARM_UP = 20
WARM_UP_ROWS = 3_000
POLL_CLIENTS = env_int("BENCH_DISPLAY_CLIENTS", 500)
POLL_SECONDS = env_int("BENCH_DISPLAY_SECONDS", 15)
TICKETS = env_int("BENCH_DISPLAY_TICKETS", 400)
CALL_EVERY = 1.0  # seconds between the clerk's calls
DISPLAY_PATHS = ("/tickets/display/", "/tickets/display/board/")  # without and with script
SNAPSHOT_SECONDS = 3  # the display's snapshot lives this long (madoguchi.tickets.display)


# --- Part 1: the registry ----------------------------------------------------------------


def empty_registry() -> None:
    """An empty registry, as before a city's first import. On PostgreSQL the tables are
    truncated: deleting leaves the old rows' index entries behind until a vacuum, and the
    next import of the same codes pays for visiting them (the old bench's "superlinear"
    10^5 import was mostly that)."""
    from django.db import connection

    from madoguchi.registry.models import ImportRun, Person, StagedRecord

    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table)
                           for m in (StagedRecord, ImportRun, Person))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables}")
    else:
        StagedRecord.objects.all().delete()
        ImportRun.objects.all().delete()
        Person.objects.all().delete()
    gc.collect()


def measure_registry() -> float:
    """Import at each size (timed, then under tracemalloc), load 10^6 residents, time the
    look-ups and a hostile file; print the figures and return the ratio of the peaks."""
    with throwaway_database("counter"), tempfile.TemporaryDirectory() as tmp:
        from django.db import connection

        from madoguchi.demo import registry as demo_registry
        from madoguchi.registry.contrib.file_import.importer import import_file

        print(f"database: {connection.vendor}")
        print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
        # Warm-up (not measured): lazy imports and the import's bounded caches are filled
        # here, so the first size's peak holds only what an import keeps while it runs.
        empty_registry()
        import_file(demo_registry.write_csv(Path(tmp) / "registry-warm-up.csv", WARM_UP_ROWS))
        peaks: dict[int, float] = {}
        for size in SIZES:
            path = demo_registry.write_csv(Path(tmp) / f"registry-{size}.csv", size)
            empty_registry()
            tracemalloc.start()
            tracemalloc.reset_peak()
            import_file(path)
            peaks[size] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            empty_registry()
            started, cpu = time.perf_counter(), time.process_time()
            outcome = import_file(path)
            seconds = time.perf_counter() - started
            log(f"import of {size}: {time.process_time() - cpu:.1f} s of CPU in this process")
            print(f"rows: {outcome.counts['rows']}")
            print(f"import s: {seconds:.1f}")
            print(f"import peak MB: {peaks[size]:.1f}", flush=True)
            path.unlink()
        big = Path(tmp) / f"registry-{RESIDENTS}.csv"
        started = time.perf_counter()
        demo_registry.write_csv(big, RESIDENTS)
        log(f"wrote the extract of {RESIDENTS} in {time.perf_counter() - started:.0f} s")
        empty_registry()
        load_registry(big)
        search_registry(demo_registry.rows(RESIDENTS))
        measure_hostile(big, Path(tmp) / "hostile.csv")
    return peaks[SIZES[-1]] / peaks[SIZES[0]]


def load_registry(path: Path) -> None:
    """Fill the registry with the extract at ``path`` in bulk: each row read and checked by
    the file import's reader and turned into the very row an import writes (sealed record,
    blind indexes: ``services.person_row``), then COPY on PostgreSQL, batched INSERTs on
    SQLite, in one transaction. Then the planner's statistics, as autovacuum (PostgreSQL)
    or an operator's ANALYZE (SQLite) gives them after an import."""
    from django.db import connection, transaction
    from django.utils import timezone

    from madoguchi.registry import records, services
    from madoguchi.registry.contrib.file_import.importer import SOURCE
    from madoguchi.registry.contrib.file_import.reader import Report, read
    from madoguchi.registry.models import Person

    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    columns = services.person_columns()
    report = Report()

    def person_rows() -> Any:
        for _line, record in read(path, report):
            values = records.payload(record)
            row = services.person_row(
                SOURCE, record, values, records.digest(values, record.active),
                changed_at=None if record.active else (record.changed_at or now), stamp=stamp)
            row["created_at"] = stamp
            yield [row[c] for c in columns]

    table = connection.ops.quote_name(Person._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    started, cpu = time.perf_counter(), time.process_time()
    with services.import_cache(), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for values in person_rows():
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (model names)
            batch: list[list[Any]] = []
            for values in person_rows():
                batch.append(values)
                if len(batch) >= LOAD_BATCH:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
    seconds = time.perf_counter() - started
    log(f"load of {report.rows}: {time.process_time() - cpu:.1f} s of CPU in this process")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    if not report.ok:
        raise submit.BenchError(f"the extract to load was refused: {report.problems[:3]}")
    print(f"residents: {Person.objects.count()}")
    print(f"load s: {seconds:.1f}", flush=True)


def search_queries(rows: Any) -> list[Any]:
    """QUERIES look-ups spread over the extract, the five kinds in turn: a family name
    (異体字 folded: 髙 asked as 高), a whole furigana, a birth date with the family name, a
    住民票コード and an address area."""
    from madoguchi.jp.wareki import parse_date
    from madoguchi.registry.plugins import ResidentQuery

    queries = []
    for i, row in enumerate(rows):
        if i % (RESIDENTS // QUERIES) or len(queries) >= QUERIES:
            continue
        family = row[2].split("\u3000")[0]
        kind = len(queries) % 5
        if kind == 0:
            queries.append(ResidentQuery(name=family.replace("髙", "高")))
        elif kind == 1:
            queries.append(ResidentQuery(kana=row[3]))
        elif kind == 2:
            queries.append(ResidentQuery(name=family, birth_date=parse_date(row[4])))
        elif kind == 3:
            queries.append(ResidentQuery(resident_code=row[0]))
        else:
            queries.append(ResidentQuery(address=row[7].split("丁目")[0][:-1]))
    return queries


def full_scans(queries: list[Any]) -> int:
    """How many of the look-up's statements (one query of each kind, and the household read)
    the database plans as a scan of the whole person table: EXPLAIN, on SQLite "SCAN
    registry_person" without an index, on PostgreSQL a "Seq Scan"."""
    from django.db import connection

    from madoguchi.registry import selectors
    from madoguchi.registry.models import Person

    table = Person._meta.db_table
    statements = [selectors.people(q).only("id", "source", "record_id", "household_index")
                  [:20].query.sql_with_params() for q in queries[:5]]
    statements.append(Person.objects.filter(source="file_import", household_index="x",
                                            active=True).query.sql_with_params())
    scans = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(prefix + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            if connection.vendor == "sqlite":
                full = any(line.strip().startswith(f"SCAN {table}") and "USING" not in line
                           for line in plan.splitlines())
            else:
                full = f"Seq Scan on {table}" in plan
            if full:
                log(f"full scan planned for: {sql[:160]}\n{plan}")
            scans += full
    return scans


def search_registry(rows: Any) -> None:
    from madoguchi.registry import selectors

    queries = search_queries(rows)
    print(f"search full scans planned: {full_scans(queries)}")
    found: list[int] = []
    for query in queries[:WARM_UP]:
        selectors.search(query)
    times = timed(lambda q: found.append(len(selectors.search(q))), queries)
    kinds = ("name", "furigana", "name+birth", "code", "address")
    for k, kind in enumerate(kinds):
        log(f"search {kind}: p95 {percentile(times[k::5], 95):.1f} ms")
    print(f"search queries: {len(times)}")
    print(f"mean households found: {sum(found) / len(found):.1f}")
    print(f"search p50 ms: {percentile(times, 50):.1f}")
    print(f"search p95 ms: {percentile(times, 95):.1f}", flush=True)


def write_hostile(source: Path, target: Path) -> int:
    """Copy the extract with one impossible birth date HOSTILE_FROM_END rows before its end;
    returns that row's line."""
    with source.open("rb") as f:
        total = sum(1 for _ in f)
    bad = total - HOSTILE_FROM_END
    with source.open("rb") as src, target.open("wb") as out:
        for number, line in enumerate(src, start=1):
            if number == bad:
                cells = line.decode("utf-8").split(",")
                cells[4] = "2026-02-30"
                line = ",".join(cells).encode("utf-8")
            out.write(line)
    return bad


def measure_hostile(extract: Path, hostile: Path) -> None:
    """A new extract of the same size with a bad row near its end, over the loaded registry:
    refused with a report naming that row, and nothing written (timed, then under
    tracemalloc for the peak)."""
    from madoguchi.registry.contrib.file_import.importer import import_file
    from madoguchi.registry.contrib.file_import.reader import Refused
    from madoguchi.registry.models import ImportRun, Person

    bad = write_hostile(extract, hostile)
    extract.unlink()
    before = (Person.objects.count(), ImportRun.objects.count())

    def refused() -> str:
        try:
            import_file(hostile)
        except Refused as exc:
            return str(exc.report.problems[0]) if exc.report.problems else ""
        raise submit.BenchError("the hostile file was imported")

    started = time.perf_counter()
    problem = refused()
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    refused()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    after = (Person.objects.count(), ImportRun.objects.count())
    log(f"hostile file refused: {problem}")
    if not problem.startswith(f"line {bad}, column 生年月日") or after != before:
        raise submit.BenchError(f"hostile file: {problem!r}, registry {before} → {after}")
    print(f"hostile rows: {RESIDENTS}")
    print(f"hostile s: {seconds:.1f}")
    print(f"hostile peak MB: {peak:.1f}", flush=True)


# --- Part 2: the calling display ---------------------------------------------------------

# The queue and a clerk at counter 1, signed in with both factors the way the sign-in views
# leave the session (a session written directly: the second factor cannot be typed here).
SEED_DISPLAY = """
import json, os, time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from madoguchi.core.models import User
from madoguchi.demo.accounts import staff_email
from madoguchi.staff import services as staff_services
from madoguchi.staff.models import StaffTOTP
from madoguchi.tickets import services
from madoguchi.tickets.models import Counter, Purpose, Ticket

purpose = Purpose.objects.get(code="ido")
day = timezone.localdate()
Ticket.objects.filter(day=day, department_id=purpose.department_id).delete()
tickets = [services.issue(purpose, channel=Ticket.Channel.KIOSK)
           for _ in range(int(os.environ["BENCH_TICKETS"]))]
user = User.objects.get(email=staff_email("shimin1"))
totp = StaffTOTP.objects.filter(user=user).first() or StaffTOTP(user=user)
if not totp.pk:
    totp.set_secret(staff_services.new_secret())
totp.confirmed_at = totp.confirmed_at or timezone.now()
totp.save()
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = user._meta.pk.value_to_string(user)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[staff_services.SESSION_KEY] = {"user": user.pk, "totp": totp.pk, "at": int(time.time())}
session["tickets_counter"] = Counter.objects.get(number=1).pk
session.create()
print("BENCH-RESULT " + json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME, "key": session.session_key,
    "labels": [t.label for t in tickets],
}))
"""


def server_display_totals(base_url: str, polls_sent: int) -> tuple[int, int, int]:
    """(display requests, their queries, web workers seen), summed over the workers: each
    answer of ``/bench/display-queries/`` is one worker's; new connections reach the others.
    Asks until the server's display requests add up to the client's (at most 200 times)."""
    latest: dict[int, dict[str, int]] = {}
    for _attempt in range(200):
        with httpx.Client(base_url=base_url, timeout=10.0) as client:
            response = client.get("/bench/display-queries/")
        if response.status_code != 200:
            raise submit.BenchError(f"/bench/display-queries/ answered HTTP "
                                    f"{response.status_code}: {response.text[:200]}")
        answer = response.json()
        latest[answer["pid"]] = answer
        if sum(a["polls"] for a in latest.values()) >= polls_sent:
            break
    return (sum(a["polls"] for a in latest.values()),
            sum(a["queries"] for a in latest.values()), len(latest))


def measure_display(server: Server, clients: list[httpx.Client]) -> dict[str, bool]:
    seeded = server.shell(SEED_DISPLAY, {"BENCH_TICKETS": str(TICKETS)})
    labels: list[str] = seeded["labels"]
    log(f"issued {len(labels)} tickets; {POLL_CLIENTS} display clients")
    clients.extend(make_clients(server.base_url, POLL_CLIENTS))
    clerk = httpx.Client(base_url=server.base_url, timeout=submit.REQUEST_TIMEOUT)
    clients.append(clerk)
    clerk.cookies.set(seeded["cookie"], seeded["key"], domain=submit.HOST)
    console = clerk.get("/staff/tickets/")
    token = hidden_value(CSRF_INPUT, console.text) if console.status_code == 200 else None
    if token is None:
        raise submit.BenchError(f"the clerk's console answered HTTP {console.status_code} "
                                "without a form")

    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    sent = [0]

    def poll(client: httpx.Client, path: str, until: float, record: bool) -> None:
        mine: list[float] = []
        count, failed = 0, []
        while time.monotonic() < until and not submit.STOP.is_set():
            began = time.perf_counter()
            count += 1
            try:
                response = client.get(path)
            except httpx.HTTPError as exc:
                failed.append(f"display: {type(exc).__name__}: {exc}")
                continue
            if response.status_code != 200:
                failed.append(f"display: HTTP {response.status_code}")
                continue
            mine.append(time.perf_counter() - began)
        with lock:
            sent[0] += count
            errors.extend(failed)
            if record:
                latencies.extend(mine)

    def run_pollers(seconds: float, record: bool, during: Callable[[float], None]) -> float:
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=poll, args=(c, DISPLAY_PATHS[i % 2], until, record),
                                    daemon=True)
                   for i, c in enumerate(clients[:POLL_CLIENTS])]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        during(until)
        for thread in threads:
            thread.join(seconds + submit.REQUEST_TIMEOUT + 10)
        return time.perf_counter() - began

    run_pollers(1.0, False, lambda until: None)  # warm-up: connections open, workers loaded
    called: list[float] = []

    def clerk_calls(until: float) -> None:
        while time.monotonic() < until - CALL_EVERY / 2 and not submit.STOP.is_set():
            began = time.perf_counter()
            response = clerk.post("/staff/tickets/call/", data={"csrfmiddlewaretoken": token},
                                  headers={"Referer": f"{server.base_url}/staff/tickets/"})
            if response.status_code == 302:
                called.append(time.perf_counter() - began)
            else:
                errors.append(f"call: HTTP {response.status_code}")
            time.sleep(max(0.0, CALL_EVERY - (time.perf_counter() - began)))

    seconds = run_pollers(POLL_SECONDS, True, clerk_calls)
    time.sleep(SNAPSHOT_SECONDS + 0.5)  # every worker's snapshot has expired
    shown = clerk.get("/tickets/display.json").json()["calls"]
    expected = labels[len(called) - 1] if called else None
    latest = shown[0]["number"] if shown else None
    polls, queries, workers = server_display_totals(server.base_url, sent[0])
    for message in errors[:5]:
        log(message)
    log(f"display: {len(latencies)} polls in {seconds:.1f} s, {len(called)} calls; the server "
        f"counted {polls} display requests ({sent[0]} sent) in {workers} workers")
    print(f"display clients: {POLL_CLIENTS}")
    print(f"display polls: {len(latencies)}")
    print(f"display polls/s: {len(latencies) / seconds:.1f}")
    print(f"display p50 ms: {percentile([s * 1000 for s in latencies], 50):.1f}")
    print(f"display p99 ms: {percentile([s * 1000 for s in latencies], 99):.1f}")
    print(f"display queries per poll: {queries / polls if polls else float('nan'):.4f}")
    print(f"calls: {len(called)}")
    print(f"call p99 ms: {percentile([s * 1000 for s in called], 99) if called else 0:.1f}")
    print(f"display errors: {len(errors)}", flush=True)
    return {
        "no display or call errors": not errors,
        f"the clerk called tickets ({len(called)})": bool(called),
        f"the display shows the last call ({latest} is not {expected})": latest == expected,
        f"the server counted every display request ({polls} of {sent[0]})": polls == sent[0],
    }


def main() -> int:
    ratio = measure_registry()
    # The server (granian's workers import madoguchi.wsgi) runs this checkout's code, not
    # whichever checkout the virtualenv was installed from.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(submit.REPO / "src"), os.environ.get("PYTHONPATH", "")) if p)
    status = submit.run_with_server(measure_display)
    print(f"ratio: {ratio:.2f}", flush=True)
    return status


if __name__ == "__main__":
    started = time.perf_counter()
    try:
        submit.run_script(main)
    finally:
        print(f"total s: {time.perf_counter() - started:.0f} at {dt.datetime.now():%H:%M}",
              file=sys.stderr)
