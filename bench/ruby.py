#!/usr/bin/env python3
"""ふりがな benchmark: a resident page with ruby on against the same page with ruby off.

Run with no arguments (``make bench`` or ``.venv/bin/python bench/ruby.py``); ``DATABASE_URL``
picks the database (a throw-away test database is created and dropped on that server; without it
a temporary SQLite file). Requests go through Django's whole stack in this process. Pages: the
home page (every procedure's name and summary), a procedure page and the navigator, in turn:

* cold:  the first requests with ruby on, with the text-node cache empty (every text node goes
         through the morphological analyser once): p95 over the pages;
* off:   the same pages without ruby (the floor);
* on:    the same pages with ruby on and the cache warm.

Prints ``name: value`` lines; the last is ``ratio:`` = ruby-on p95 ÷ ruby-off p95, both warm
(aim: under 1.3).
"""

from __future__ import annotations

import os

from _django import percentile, throwaway_database, timed, use_project_django

use_project_django()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
PAGES = ["/", "/procedures/jido-teate/", "/navi/", "/procedures/tsugaku-hojo/"]


def main() -> None:
    from django.test import Client

    from madoguchi.catalog import ruby
    from madoguchi.demo.city import load_demo_city

    load_demo_city()
    plain, with_ruby = Client(), Client()
    with_ruby.cookies[ruby.COOKIE] = "1"
    for path in PAGES:  # templates, the city and the session, warm in both
        assert plain.get(path).status_code == 200
    ruby._ruby_node.cache_clear()
    cold = timed(lambda path: with_ruby.get(path), PAGES)
    assert "<ruby>" in with_ruby.get("/").content.decode()
    requests = PAGES * (ROUNDS // len(PAGES))
    off = timed(lambda path: plain.get(path), requests)
    on = timed(lambda path: with_ruby.get(path), requests)
    print(f"pages: {len(PAGES)}")
    print(f"requests: {len(requests)}")
    print(f"cold p95 ms: {percentile(cold, 95):.1f}")
    print(f"cold max ms: {max(cold):.1f}")
    print(f"ruby-off p95 ms: {percentile(off, 95):.1f}")
    print(f"ruby-on p95 ms: {percentile(on, 95):.1f}")
    print(f"ratio: {percentile(on, 95) / percentile(off, 95):.2f}")


if __name__ == "__main__":
    with throwaway_database("ruby"):
        main()
