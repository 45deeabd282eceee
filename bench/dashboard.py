#!/usr/bin/env python3
"""Effect dashboard benchmark: the page at 10,000 and at 1,000,000 applications.

Run with no arguments (``make bench`` or ``.venv/bin/python bench/dashboard.py``); ``DATABASE_URL``
picks the database server (a throw-away database is created and dropped on it; without it a
temporary SQLite file). It loads the demo city, bulk-loads applications spread over the last
year (raw ``executemany`` on SQLite, ``COPY`` on PostgreSQL) with their decision and 差戻し
events, bookings (one per three applications) and chat questions (one per two), rolls every day
up, and times ``GET /staff/bpr/effect/`` as the DX office (the city, the last twelve months) and
for one department, through Django's whole stack in this process (test client).

Prints ``name: value`` lines: the load and roll-up times, ``dashboard p95 ms at 10k:`` and
``dashboard p95 ms at 1M:``, ``roll-up s:`` (one day at the full size) and last ``ratio:`` =
p95 at the full size ÷ p95 at 10,000 (1.0 = the page does not slow down as the data grows).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from _django import env_int, percentile, throwaway_database, use_project_django

use_project_django()


ROWS = env_int("BENCH_ROWS", 1_000_000)
SMALL_ROWS = min(10_000, ROWS)
REQUESTS = max(30, env_int("BENCH_REQUESTS", 40))
WARM_UP = 3
BATCH = 20_000
SEED = 20261207
SPAN_DAYS = 365
CHANNELS = [("online", 45), ("line", 8), ("counter", 10), ("paper", 37)]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Loader:
    """Writes rows with raw SQL: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""

    def __init__(self) -> None:
        from django.db import connection
        from django.utils import timezone

        from madoguchi.catalog.models import Procedure
        from madoguchi.faq.models import FaqEntry
        from madoguchi.forms.models import FormDefinition
        from madoguchi.reservations.models import Room, Service, Slot

        self.connection = connection
        self.random = random.Random(SEED)
        self.now = timezone.now().replace(microsecond=0)
        self.procedures = list(Procedure.objects.values_list("pk", "department_id"))
        self.version = FormDefinition.objects.get(slug="tsugaku-hojo").live_version.pk
        self.entries = list(FaqEntry.objects.values_list("pk", flat=True)) or [None]
        self.services = list(Service.objects.values_list("pk", flat=True))
        room = Room.objects.first()
        starts = self.now + dt.timedelta(days=400)
        self.slots = {s: Slot.objects.create(service_id=s, room=room, starts_at=starts,
                                             ends_at=starts + dt.timedelta(minutes=30),
                                             capacity=10**9, status=Slot.Status.CLOSED).pk
                      for s in self.services}
        self.next_id = {"app": 10_000_001, "event": 10_000_001, "booking": 10_000_001,
                        "chat": 10_000_001}
        self.loaded = 0
        self.seconds = 0.0

    def _when(self, value: dt.datetime) -> Any:
        if self.connection.vendor == "sqlite":
            return self.connection.ops.adapt_datetimefield_value(value)
        return value

    def _uuid(self) -> Any:
        value = uuid.UUID(int=self.random.getrandbits(128), version=4)
        return value.hex if self.connection.vendor == "sqlite" else value

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                    list(rows))

    def load_to(self, total: int) -> None:
        from django.db import transaction

        start = time.perf_counter()
        fast_writes(self.connection, True)
        try:
            while self.loaded < total:
                count = min(BATCH, total - self.loaded)
                with transaction.atomic():
                    self._batch(count)
                self.loaded += count
                if self.loaded // 100_000 != (self.loaded - count) // 100_000:
                    log(f"loaded {self.loaded:,} applications "
                        f"({time.perf_counter() - start:.0f} s)")
        finally:
            fast_writes(self.connection, False)
        reset_sequences(self.connection)
        analyse(self.connection)
        self.seconds += time.perf_counter() - start

    def _batch(self, count: int) -> None:
        r = self.random
        apps, events, bookings, chats = [], [], [], []
        channels = [c for c, _w in CHANNELS]
        weights = [w for _c, w in CHANNELS]
        for _i in range(count):
            pk = self.next_id["app"]
            self.next_id["app"] += 1
            procedure, department = self.procedures[r.randrange(len(self.procedures))]
            submitted = self.now - dt.timedelta(seconds=r.randrange(SPAN_DAYS * 86_400))
            status = "received"
            decided = submitted + dt.timedelta(seconds=r.randrange(20 * 86_400))
            if r.random() < 0.1:
                returned = submitted + dt.timedelta(seconds=r.randrange(86_400, 3 * 86_400))
                if returned < self.now:
                    events.append((self.next_id["event"], pk, "under_review", "returned", "",
                                   self._when(returned)))
                    self.next_id["event"] += 1
                    status = "returned"
                    decided += dt.timedelta(days=3)
            if decided < self.now:
                status = "approved" if r.random() < 0.95 else "rejected"
                events.append((self.next_id["event"], pk, "under_review", status, "",
                               self._when(decided)))
                self.next_id["event"] += 1
            apps.append((pk, self._uuid(), self._uuid(), self.version, procedure, department,
                         "ベンチ 太郎", "べんち たろう", "", f"b{pk}@example.jp", "{}", "",
                         status, r.choices(channels, weights)[0], "", self._when(submitted),
                         self._when(submitted), "", "{}"))
            if pk % 3 == 0 and self.services:
                service = self.services[r.randrange(len(self.services))]
                bid = self.next_id["booking"]
                self.next_id["booking"] += 1
                bookings.append((bid, "ベンチ", "花子", "", "", "", "", "", self._uuid(),
                                 self.slots[service], service, "confirmed", f"bench-{bid}",
                                 "m", "phone" if r.random() < 0.4 else "web", "",
                                 self._when(submitted)))
            if pk % 2 == 0:
                cid = self.next_id["chat"]
                self.next_id["chat"] += 1
                best = self.entries[r.randrange(len(self.entries))] if r.random() < 0.75 else None
                chats.append((cid, self._uuid(), "転入届に必要なもの", "転入届に必要なもの", "ja",
                              "[]", 1 if best else 0, best, None, False, self._when(submitted)))
        self.insert("applications_application", (
            "id", "public_id", "submission_token", "form_version_id", "procedure_id",
            "department_id", "applicant_name", "applicant_name_key", "applicant_kana_key",
            "contact_email", "answers", "sealed_answers", "status", "channel", "status_reason",
            "submitted_at", "updated_at", "legal_hold_reason", "identity_verification"), apps)
        self.insert("applications_statusevent", (
            "id", "application_id", "from_status", "to_status", "reason", "at"), events)
        self.insert("reservations_booking", (
            "id", "family_name", "given_name", "family_kana", "given_kana", "sex", "phone",
            "email", "public_id", "slot_id", "service_id", "status", "request_token",
            "manage_token", "channel", "cancel_reason", "created_at"), bookings)
        self.insert("faq_chatquestion", (
            "id", "public_id", "text", "folded", "language", "matched", "match_count",
            "best_entry_id", "helpful", "resolved", "created_at"), chats)


def fast_writes(connection: Any, on: bool) -> None:
    """SQLite only, during the load: no fsync and a big page cache; back to the defaults after."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if on:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-524288")
        else:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-2000")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def reset_sequences(connection: Any) -> None:
    from django.core.management.color import no_style

    from madoguchi.applications.models import Application, StatusEvent
    from madoguchi.faq.models import ChatQuestion
    from madoguchi.reservations.models import Booking

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
                no_style(), [Application, StatusEvent, Booking, ChatQuestion]):
            cursor.execute(sql)


def analyse(connection: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("applications_application", "applications_statusevent",
                          "reservations_booking", "faq_chatquestion"):
                cursor.execute(f"VACUUM ANALYZE {table}")


def roll_up_year(now: dt.datetime) -> float:
    from django.utils import timezone

    from madoguchi.bpr.rollup_services import roll_up_days

    today = timezone.localtime(now).date()
    start = time.perf_counter()
    roll_up_days(today - dt.timedelta(days=SPAN_DAYS + 1), today)
    return time.perf_counter() - start


def signed_in(role: str, department: str) -> Any:
    from django.test import Client

    from madoguchi.staff.tests.helpers import member, staff_login

    client = staff_login(Client(), member(role, department))
    response = client.get("/staff/bpr/effect/")
    if response.status_code != 200:
        raise SystemExit(f"the dashboard answered {response.status_code}")
    return client


def series(client: Any, url: str) -> list[float]:
    times = []
    for n in range(REQUESTS + WARM_UP):
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200 or b"chart-channels" not in response.content:
            raise SystemExit(f"unexpected answer {response.status_code} for {url}")
        if n >= WARM_UP:
            times.append(elapsed)
    return times


def measure(label: str) -> tuple[list[tuple[str, str]], float]:
    dx = signed_in("dx", "shimin")
    head = signed_in("head", "kosodate")
    city = series(dx, "/staff/bpr/effect/")
    department = series(head, "/staff/bpr/effect/")
    both = city + department
    p95 = percentile(both, 95)
    return [
        (f"dashboard city p50 ms at {label}", f"{statistics.median(city):.1f}"),
        (f"dashboard department p50 ms at {label}", f"{statistics.median(department):.1f}"),
        (f"dashboard p95 ms at {label}", f"{p95:.1f}"),
    ], p95


class Figures(list):
    """The output lines, printed as soon as each is known (a long run shows its progress)."""

    def __init__(self, first: list[tuple[str, str]]) -> None:
        super().__init__()
        self.extend(first)

    def append(self, item: tuple[str, str]) -> None:
        print(f"{item[0]}: {item[1]}", flush=True)
        super().append(item)

    def extend(self, items: Any) -> None:
        for item in items:
            self.append(item)

    def __iadd__(self, items: Any) -> Figures:
        self.extend(items)
        return self


def run() -> list[tuple[str, str]]:
    from django.db import connection
    from django.utils import timezone

    from madoguchi.bpr.rollup_services import roll_up_day
    from madoguchi.demo.city import load_demo_city

    load_demo_city()
    loader = Loader()
    out = Figures([("database", connection.vendor)])
    loader.load_to(SMALL_ROWS)
    out.append(("load s at 10k", f"{loader.seconds:.1f}"))
    out.append(("roll-up of the year s at 10k", f"{roll_up_year(loader.now):.1f}"))
    figures, small = measure("10k")
    out += figures
    loader.load_to(ROWS)
    out.append(("load s at 1M", f"{loader.seconds:.1f}"))
    out.append(("roll-up of the year s at 1M", f"{roll_up_year(loader.now):.1f}"))
    figures, large = measure("1M")
    out += figures
    day = timezone.localtime(loader.now).date() - dt.timedelta(days=1)
    times = []
    for _i in range(3):
        start = time.perf_counter()
        roll_up_day(day)
        times.append(time.perf_counter() - start)
    out.append(("roll-up s", f"{statistics.median(times):.2f}"))
    out.append(("ratio", f"{large / small:.2f}"))
    return out


def main() -> None:
    with throwaway_database("dashboard"):
        run()  # prints each figure as it is measured


if __name__ == "__main__":
    main()
