#!/usr/bin/env python3
"""Back-office benchmark: the department inbox at 10,000 and at 1,000,000 applications.

Run with no arguments (``make bench`` or ``.venv/bin/python bench/backoffice.py``);
``DATABASE_URL`` picks the database server (a throw-away database is created and dropped on it;
without it a temporary SQLite file). It loads the demo city, bulk-loads applications with
realistic Japanese names (異体字 included) spread over the procedures, statuses, the last three
years and the department's staff, then measures as a signed-in clerk of the largest
department, through Django's whole stack in this process (test client):

* inbox:       ``GET /staff/`` (first page, status tabs, bounded count);
* filtered:    ``GET /staff/?status=under_review&from=<和暦>&to=<和暦>`` (a 90-day window);
* name search: ``GET /staff/?q=髙田`` and other 異体字 queries (髙田 finds 高田 …);
* furigana search: ``GET /staff/?q=たかだ`` and other kana queries (hiragana, katakana,
               half-width) that find the applicants by the furigana of their names;
* next pages:  following the "Next" link page after page (keyset pagination);
* for comparison, what the inbox does not do: an exact COUNT(*) of the department (what
               Django's Paginator runs on every page) and exact per-status counts;
* export:      only when ``madoguchi.applications.exports`` exists: the CSV of one procedure,
               streamed through the export page (time and peak Python memory).

First at ``SMALL_ROWS`` (10,000) rows, then again after loading up to ``BENCH_ROWS``
(1,000,000). Prints ``name: value`` lines; the last is ``ratio:`` = inbox p95 at the full size
÷ inbox p95 at 10,000 rows (1.0 = the inbox does not slow down as the table grows).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from _django import env_int, percentile, throwaway_database, use_project_django

use_project_django()


ROWS = env_int("BENCH_ROWS", 1_000_000)
SMALL_ROWS = min(10_000, ROWS)
REQUESTS = max(30, env_int("BENCH_REQUESTS", 40))
WARM_UP = 3
BATCH = 10_000
SEED = 20261123
DEPARTMENT = "shimin"  # the department with the most procedures, so the most applications
CLERK = "shimin1"
SPAN_DAYS = 3 * 365
FILTER_DAYS = 90

# Family names, common ones more often, with their 異体字 as residents write them.
FAMILY_NAMES: list[tuple[str, int]] = [
    ("佐藤", 30), ("鈴木", 28), ("高橋", 20), ("髙橋", 6), ("田中", 20), ("伊藤", 16),
    ("渡辺", 14), ("渡邊", 5), ("渡邉", 5), ("山本", 16), ("中村", 16), ("小林", 15),
    ("加藤", 13), ("吉田", 12), ("𠮷田", 2), ("山田", 12), ("佐々木", 11), ("山口", 10),
    ("松本", 10), ("井上", 9), ("木村", 9), ("林", 8), ("斎藤", 6), ("齋藤", 3), ("齊藤", 2),
    ("斉藤", 3), ("清水", 8), ("山崎", 5), ("山﨑", 3), ("山嵜", 1), ("森", 7), ("池田", 7),
    ("橋本", 7), ("阿部", 7), ("石川", 6), ("山下", 6), ("中島", 5), ("中嶋", 2), ("石井", 6),
    ("小川", 6), ("前田", 6), ("岡田", 6), ("長谷川", 6), ("藤田", 6), ("後藤", 5), ("近藤", 5),
    ("村上", 5), ("遠藤", 5), ("青木", 5), ("坂本", 5), ("福田", 5), ("太田", 5), ("西村", 5),
    ("藤井", 4), ("岡本", 4), ("高田", 4), ("髙田", 2), ("濱田", 2), ("浜田", 3), ("濵田", 1),
    ("澤田", 2), ("沢田", 3), ("櫻井", 2), ("桜井", 3), ("廣瀬", 1), ("広瀬", 3), ("德永", 1),
    ("徳永", 2), ("國分", 1), ("国分", 1), ("宮﨑", 2), ("宮崎", 4), ("野口", 4), ("菊地", 3),
    ("たなか", 1), ("スミス", 1),
]
GIVEN_NAMES: list[tuple[str, str]] = [
    ("太郎", "たろう"), ("花子", "はなこ"), ("一郎", "いちろう"), ("陽菜", "ひな"),
    ("蓮", "れん"), ("結衣", "ゆい"), ("大翔", "ひろと"), ("さくら", "さくら"),
    ("湊", "みなと"), ("美咲", "みさき"), ("健", "けん"), ("由美子", "ゆみこ"),
    ("𠮷男", "よしお"), ("翔太", "しょうた"), ("愛", "あい"), ("誠", "まこと"),
    ("ハナ", "はな"), ("恵子", "けいこ"), ("隆", "たかし"), ("真由美", "まゆみ"),
    ("悠真", "ゆうま"), ("葵", "あおい"), ("和子", "かずこ"), ("茂", "しげる"),
]
# The furigana of every family name above (one reading each).
FAMILY_KANA = {
    "佐藤": "さとう", "鈴木": "すずき", "高橋": "たかはし", "髙橋": "たかはし", "田中": "たなか",
    "伊藤": "いとう", "渡辺": "わたなべ", "渡邊": "わたなべ", "渡邉": "わたなべ",
    "山本": "やまもと", "中村": "なかむら", "小林": "こばやし", "加藤": "かとう",
    "吉田": "よしだ", "𠮷田": "よしだ", "山田": "やまだ", "佐々木": "ささき", "山口": "やまぐち",
    "松本": "まつもと", "井上": "いのうえ", "木村": "きむら", "林": "はやし", "斎藤": "さいとう",
    "齋藤": "さいとう", "齊藤": "さいとう", "斉藤": "さいとう", "清水": "しみず",
    "山崎": "やまざき", "山﨑": "やまざき", "山嵜": "やまざき", "森": "もり", "池田": "いけだ",
    "橋本": "はしもと", "阿部": "あべ", "石川": "いしかわ", "山下": "やました",
    "中島": "なかじま", "中嶋": "なかじま", "石井": "いしい", "小川": "おがわ", "前田": "まえだ",
    "岡田": "おかだ", "長谷川": "はせがわ", "藤田": "ふじた", "後藤": "ごとう", "近藤": "こんどう",
    "村上": "むらかみ", "遠藤": "えんどう", "青木": "あおき", "坂本": "さかもと",
    "福田": "ふくだ", "太田": "おおた", "西村": "にしむら", "藤井": "ふじい", "岡本": "おかもと",
    "高田": "たかだ", "髙田": "たかだ", "濱田": "はまだ", "浜田": "はまだ", "濵田": "はまだ",
    "澤田": "さわだ", "沢田": "さわだ", "櫻井": "さくらい", "桜井": "さくらい", "廣瀬": "ひろせ",
    "広瀬": "ひろせ", "德永": "とくなが", "徳永": "とくなが", "國分": "こくぶん",
    "国分": "こくぶん", "宮﨑": "みやざき", "宮崎": "みやざき", "野口": "のぐち", "菊地": "きくち",
    "たなか": "たなか", "スミス": "すみす",
}
STATUSES = [("received", 6), ("under_review", 8), ("returned", 2), ("in_approval", 3),
            ("approved", 10), ("rejected", 4), ("issued", 67)]
NAME_QUERIES = ["髙田", "渡邊", "齋藤", "山﨑", "濵田", "𠮷田"]
KANA_QUERIES = ["たかだ", "ワタナベ", "ｻｲﾄｳ", "やまざき はな", "ハマダ", "よしだ"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    with throwaway_database("backoffice"):
        figures = run()
    for name, value in figures:
        print(f"{name}: {value}")


class Loader:
    """Bulk-loads applications in batches of ``BATCH`` rows (explicit ids, so receipt numbers
    can be written in the same INSERT)."""

    def __init__(self) -> None:
        from django.utils import timezone

        from madoguchi.catalog.models import Procedure
        from madoguchi.forms.models import FormDefinition
        from madoguchi.staff.models import StaffMember

        self.random = random.Random(SEED)
        self.now = timezone.now()
        self.procedures = list(Procedure.objects.all().order_by("id"))
        self.version = FormDefinition.objects.get(slug="tsugaku-hojo").live_version
        self.answers = demo_answers(self.version)
        self.handlers: dict[int, list[int]] = {}
        for member in StaffMember.objects.exclude(role=StaffMember.Role.DX):
            self.handlers.setdefault(member.department_id, []).append(member.user_id)
        self.families = [name for name, _w in FAMILY_NAMES]
        self.family_weights = [w for _n, w in FAMILY_NAMES]
        self.statuses = [s for s, _w in STATUSES]
        self.status_weights = [w for _s, w in STATUSES]
        self.loaded = 0
        self.seconds = 0.0
        self._keys: dict[str, str] = {}
        self._kana_keys: dict[tuple[str, str], str] = {}

    def _key(self, name: str) -> str:
        from madoguchi.jp.names import name_search_key

        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = name_search_key(name)
        return key

    def _kana_key(self, furigana: str, name: str) -> str:
        from madoguchi.jp.names import furigana_search_key

        key = self._kana_keys.get((furigana, name))
        if key is None:
            key = self._kana_keys[(furigana, name)] = furigana_search_key(furigana, name)
        return key

    def _row(self, pk: int) -> Any:
        from django.utils import timezone

        from madoguchi.applications.models import Application
        from madoguchi.jp.receipt import make_receipt_number

        r = self.random
        procedure = self.procedures[r.randrange(len(self.procedures))]
        family = r.choices(self.families, self.family_weights)[0]
        given, given_kana = GIVEN_NAMES[r.randrange(len(GIVEN_NAMES))]
        name = f"{family} {given}"
        submitted = self.now - dt.timedelta(seconds=r.randrange(SPAN_DAYS * 86_400),
                                            microseconds=r.randrange(1_000_000))
        updated = min(self.now, submitted + dt.timedelta(seconds=r.randrange(20 * 86_400)))
        handlers = self.handlers.get(procedure.department_id, [])
        assignee = r.choice(handlers) if handlers and r.random() < 0.4 else None
        answers = dict(self.answers)
        family_kana = FAMILY_KANA[family]
        answers["applicant_name"] = {"family": family, "given": given,
                                     "family_kana": family_kana, "given_kana": given_kana}
        return Application(
            pk=pk, public_id=uuid.UUID(int=r.getrandbits(128), version=4),
            submission_token=uuid.UUID(int=r.getrandbits(128), version=4),
            receipt_number=make_receipt_number(timezone.localtime(submitted).year, pk),
            form_version_id=self.version.pk, procedure_id=procedure.pk,
            department_id=procedure.department_id, applicant_id=None,
            applicant_name=name, applicant_name_key=self._key(name),
            applicant_kana_key=self._kana_key(family_kana + given_kana, name),
            contact_email=f"resident{pk}@example.jp", answers=answers,
            status=r.choices(self.statuses, self.status_weights)[0], assignee_id=assignee,
            submitted_at=submitted, updated_at=updated,
        )

    def load_to(self, total: int) -> None:
        """Add rows until the table holds ``total`` bench rows."""
        from django.db import connection, transaction

        from madoguchi.applications.models import Application

        start = time.perf_counter()
        fast_writes(connection, True)
        try:
            while self.loaded < total:
                count = min(BATCH, total - self.loaded)
                rows = [self._row(self.loaded + 1 + i) for i in range(count)]
                with transaction.atomic():
                    Application.objects.bulk_create(rows, batch_size=BATCH)
                self.loaded += count
                if self.loaded % 100_000 == 0:
                    log(f"loaded {self.loaded:,} rows ({time.perf_counter() - start:.0f} s)")
        finally:
            fast_writes(connection, False)
        reset_sequence(connection)
        self.seconds += time.perf_counter() - start
        analyse(connection)


def demo_answers(version: Any) -> dict[str, Any]:
    """The demo form's answers without the sensitive ones (sealing 1M rows is not the point)."""
    from madoguchi.conftest import VALID_POST
    from madoguchi.forms.definition import FormSpec

    spec = FormSpec(version.definition)
    answers: dict[str, Any] = {}
    for page in spec.pages:
        _raw, clean, errors = spec.validate_page(page, VALID_POST[page.key])
        if errors:
            raise SystemExit(f"the demo answers do not validate: {errors}")
        answers.update(clean)
    sensitive = spec.sensitive_keys()
    return {k: v for k, v in answers.items() if k not in sensitive}


def fast_writes(connection: Any, on: bool) -> None:
    """SQLite only, during the load: no fsync and a big page cache; back to the defaults after
    so the measured requests run with the settings the application uses."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if on:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-524288")  # 512 MB
        else:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-2000")  # SQLite's default
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def reset_sequence(connection: Any) -> None:
    from django.core.management.color import no_style

    from madoguchi.applications.models import Application

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Application]):
            cursor.execute(sql)


def analyse(connection: Any) -> None:
    """PostgreSQL: VACUUM ANALYZE, as autovacuum does soon after a big load in production.
    SQLite: nothing (Django never runs ANALYZE; the planner must cope without statistics)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE applications_application")


def signed_in_client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    try:
        from madoguchi.staff.tests.helpers import complete_second_factor
    except ImportError:  # before two-factor sign-in existed
        pass
    else:
        complete_second_factor(client, user)
    response = client.get("/staff/")
    if response.status_code != 200:
        raise SystemExit(f"the clerk cannot open the inbox: {response.status_code} "
                         f"{response.get('Location', '')}")
    return client


def timed(client: Any, url: str, check: Callable[[Any], bool] | None = None) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200 or (check is not None and not check(response)):
        raise SystemExit(f"unexpected answer {response.status_code} for {url}")
    return elapsed, response


def series(client: Any, urls: Callable[[int], str], check: Callable[[Any], bool]) -> list[float]:
    times = []
    for n in range(REQUESTS + WARM_UP):
        elapsed, _response = timed(client, urls(n), check)
        if n >= WARM_UP:
            times.append(elapsed)
    return times


def has_rows(response: Any) -> bool:
    return bool(response.context["page"].rows)


def measure(client: Any, rows: int) -> list[tuple[str, str]]:
    """p50/p95 of the inbox, a filtered list, name searches and following Next links."""
    from django.utils import timezone

    from madoguchi.jp.wareki import format_wareki

    today = timezone.localdate()
    window = {"status": "under_review", "from": format_wareki(today - dt.timedelta(FILTER_DAYS)),
              "to": format_wareki(today)}
    filtered_url = "/staff/?" + urlencode(window)
    figures: dict[str, list[float]] = {
        "inbox": series(client, lambda n: "/staff/", has_rows),
        "filtered": series(client, lambda n: filtered_url, has_rows),
        "name search": series(
            client, lambda n: "/staff/?" + urlencode({"q": NAME_QUERIES[n % len(NAME_QUERIES)]}),
            has_rows),
        "furigana search": series(
            client, lambda n: "/staff/?" + urlencode({"q": KANA_QUERIES[n % len(KANA_QUERIES)]}),
            has_rows),
    }
    # Page after page through the newest applications, as a clerk pressing "Next".
    next_times: list[float] = []
    url = "/staff/"
    for n in range(REQUESTS + WARM_UP):
        elapsed, response = timed(client, url, has_rows)
        if n >= WARM_UP:
            next_times.append(elapsed)
        url = "/staff/" + response.context["next_url"]
    figures["next pages"] = next_times
    out = [(f"load average at {rows}", f"{os.getloadavg()[0]:.2f}")]
    for name, times in figures.items():
        out.append((f"{name} p50 ms at {rows}", f"{statistics.median(times):.1f}"))
        out.append((f"{name} p95 ms at {rows}", f"{percentile(times, 95):.1f}"))
    return out + exact_counts(rows)


def exact_counts(rows: int) -> list[tuple[str, str]]:
    """What the inbox avoids, for comparison: the exact COUNT(*) Django's Paginator runs on
    every page view, and exact per-status counts (one GROUP BY), median of 5 each."""
    from django.db.models import Count

    from madoguchi.applications.models import Application

    department = Application.objects.filter(department__code=DEPARTMENT)

    def median_ms(call: Callable[[], object]) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    paginator = median_ms(department.count)
    grouped = median_ms(lambda: list(department.values("status").annotate(n=Count("id"))))
    return [(f"exact count ms at {rows}", f"{paginator:.1f}"),
            (f"exact status counts ms at {rows}", f"{grouped:.1f}")]


def measure_export(client: Any) -> list[tuple[str, str]]:
    """Stream the CSV of one procedure through the export page: time, then peak memory."""
    try:
        import madoguchi.applications.exports  # noqa: F401
    except ImportError:
        return []
    from madoguchi.applications.models import Application

    slug = "juminhyo"
    form = client.get("/staff/exports/?" + urlencode({"procedure": slug}))
    if form.status_code != 200:
        raise SystemExit(f"the export page answered {form.status_code}")
    columns = list((form.context["form"].initial or {}).get("columns") or [])
    post = {"procedure": slug, "format": "csv_utf8", "columns": columns}

    def download() -> tuple[float, int]:
        start = time.perf_counter()
        response = client.post("/staff/exports/", post)
        if response.status_code != 200 or not response.streaming:
            raise SystemExit(f"the export answered {response.status_code}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        return time.perf_counter() - start, size

    seconds, size = download()
    tracemalloc.start()
    download()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = Application.objects.filter(procedure__slug=slug).count()
    return [("export rows", str(rows)), ("export MB", f"{size / 1e6:.1f}"),
            ("export s", f"{seconds:.1f}"), ("export peak MB", f"{peak / 1e6:.1f}")]


def run() -> list[tuple[str, str]]:
    from django.conf import settings
    from django.db import connection

    from madoguchi.applications.models import Application
    from madoguchi.core.models import User
    from madoguchi.demo.accounts import staff_email
    from madoguchi.demo.city import load_demo_city

    load_demo_city()
    loader = Loader()
    clerk = User.objects.get(email=staff_email(CLERK))
    client = signed_in_client(clerk)

    def department_rows() -> int:
        return Application.objects.filter(department__code=DEPARTMENT).count()

    loader.load_to(SMALL_ROWS)
    log(f"measuring at {SMALL_ROWS:,} rows")
    small = measure(client, SMALL_ROWS)
    small_department = department_rows()
    loader.load_to(ROWS)
    log(f"measuring at {ROWS:,} rows")
    large = measure(client, ROWS)
    export = measure_export(client)
    large_department = department_rows()
    inbox_small = float(dict(small)[f"inbox p95 ms at {SMALL_ROWS}"])
    inbox_large = float(dict(large)[f"inbox p95 ms at {ROWS}"])
    return [
        ("database", settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]),
        ("database version", connection.Database.sqlite_version
         if connection.vendor == "sqlite" else str(connection.pg_version)),
        ("rows", str(ROWS)),
        ("department", DEPARTMENT),
        (f"department rows at {SMALL_ROWS}", str(small_department)),
        (f"department rows at {ROWS}", str(large_department)),
        ("requests per figure", str(REQUESTS)),
        ("load s", f"{loader.seconds:.1f}"),
        ("load rows/s", f"{ROWS / loader.seconds:.0f}"),
        *small,
        *large,
        *export,
        ("ratio", f"{inbox_large / inbox_small:.2f}"),
    ]


if __name__ == "__main__":
    main()
