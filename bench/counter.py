#!/usr/bin/env python3
"""Counter benchmark: the resident registry's file import and look-up.

Run with no arguments (``.venv/bin/python bench/counter.py``); ``DATABASE_URL`` picks the
database (a throw-away test database on that server; without it a temporary SQLite file).
It writes the demo's fictional registry extract (``madoguchi.demo.registry``: 緑ヶ丘市, names
with 異体字 and 外字, half the birth dates in 和暦) at 10,000 and 100,000 residents and imports
each into an empty registry through the file-import connector (both passes: validation, then
the batched write in one transaction), under tracemalloc. It then times 500 look-ups
(``madoguchi.registry.selectors.search``, households included) over the 100,000: a family name
(異体字 folded), a whole furigana, a birth date with the family name, a 住民票コード and an
address area, in turn.

Prints ``name: value`` lines: ``rows:``, ``import s:`` and ``import peak MB:`` per size (the
time is taken with tracemalloc running, which slows Python's allocations: a plain run is faster),
``search p95 ms:``, and last ``ratio:`` = import peak MB at 10^5 rows ÷ at 10^4 rows (about 1
when the import's memory does not grow with the file).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _django import percentile, throwaway_database, timed, use_project_django

use_project_django()
SIZES = (10_000, 100_000)
QUERIES = 500
WARM_UP = 20


def main() -> None:
    with throwaway_database("counter"), tempfile.TemporaryDirectory() as tmp:
        from django.db import connection

        from madoguchi.demo import registry as demo_registry
        from madoguchi.jp.wareki import parse_date
        from madoguchi.registry import selectors
        from madoguchi.registry.contrib.file_import.importer import import_file
        from madoguchi.registry.models import Person
        from madoguchi.registry.plugins import ResidentQuery

        print(f"database: {connection.vendor}")
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        peaks: dict[int, float] = {}
        for size in SIZES:
            Person.objects.all().delete()
            path = demo_registry.write_csv(Path(tmp) / f"registry-{size}.csv", size)
            tracemalloc.start()
            tracemalloc.reset_peak()
            started = time.perf_counter()
            outcome = import_file(path)
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            peaks[size] = peak
            print(f"rows: {outcome.counts['rows']}")
            print(f"import s: {seconds:.1f}")
            print(f"import peak MB: {peak:.1f}")
        queries = []
        for i, row in enumerate(demo_registry.rows(SIZES[-1])):
            if i % (SIZES[-1] // QUERIES) or len(queries) >= QUERIES:
                continue
            family = row[2].split("\u3000")[0]
            kind = len(queries) % 5
            if kind == 0:
                queries.append(ResidentQuery(name=family.replace("髙", "高")))
            elif kind == 1:
                queries.append(ResidentQuery(kana=row[3]))
            elif kind == 2:
                birth = parse_date(row[4])
                queries.append(ResidentQuery(name=family, birth_date=birth))
            elif kind == 3:
                queries.append(ResidentQuery(resident_code=row[0]))
            else:
                queries.append(ResidentQuery(address=row[7].split("丁目")[0][:-1]))
        found = []
        for query in queries[:WARM_UP]:
            selectors.search(query)
        times = timed(lambda q: found.append(len(selectors.search(q))), queries)
        print(f"search queries: {len(times)}")
        print(f"mean households found: {sum(found) / len(found):.1f}")
        print(f"search p50 ms: {percentile(times, 50):.1f}")
        print(f"search p95 ms: {percentile(times, 95):.1f}")
        print(f"ratio: {peaks[SIZES[-1]] / peaks[SIZES[0]]:.2f}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total s: {time.perf_counter() - started:.0f} at {dt.datetime.now():%H:%M}",
          file=sys.stderr)
