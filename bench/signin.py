#!/usr/bin/env python3
"""Sign-in benchmark: what one password sign-in costs with PBKDF2 and with Argon2.

Run with no arguments (``.venv/bin/python bench/signin.py``); ``DATABASE_URL`` picks the
database (a throw-away database, as in the other in-process benches). Two resident accounts
sign in through the real sign-in view (``POST /account/login/`` with Django's test client,
so the form, the throttle look-up, the session and the audit record are all in the figure):

* pbkdf2: ``PASSWORD_HASHERS`` as Django's default (PBKDF2-SHA256 at Django's iteration count),
          the account's password hashed with it: the cost before the move to Argon2;
* argon2: the production hashers (``settings.PRODUCTION_PASSWORD_HASHERS``, Argon2id first),
          the account's password hashed with Argon2: the cost after.

Each is timed ``BENCH_SIGNINS`` times (default 7) after one warm-up; prints the median of each
and ``ratio:`` = argon2 ÷ pbkdf2 (below 1: a sign-in is cheaper than before). The Argon2 cost is
the configured one (``MADOGUCHI_ARGON2_*``); ``BENCH_ARGON2`` (e.g. ``2,102400,8;3,65536,4``:
time cost, memory in KiB, lanes) times other settings too, one line each, to choose a cost
(docs/deploy.md, "Password hashing").
"""

from __future__ import annotations

import os
import statistics
import time

from _django import throwaway_database, use_project_django

use_project_django()
SIGNINS = int(os.environ.get("BENCH_SIGNINS", "7"))
PASSWORD = "bench-signin-password-2026"
PBKDF2_ONLY = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
OTHER_ARGON2 = [tuple(int(n) for n in item.split(","))
                for item in os.environ.get("BENCH_ARGON2", "").split(";") if item.strip()]


def median_signin_ms(email: str, hashers: list[str], **costs: int) -> float:
    """Median milliseconds of a real sign-in of ``email`` with ``hashers`` configured (and the
    Argon2 ``costs`` settings, when given)."""
    from django.test import Client, override_settings

    from madoguchi.residents.services import sign_up

    with override_settings(PASSWORD_HASHERS=hashers, **costs):
        sign_up(email=email, password=PASSWORD, confirmed=True)
        times = []
        for attempt in range(SIGNINS + 1):
            client = Client()
            started = time.perf_counter()
            response = client.post("/account/login/", {"email": email, "password": PASSWORD})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 302:
                raise SystemExit(f"sign-in of {email} failed: HTTP {response.status_code}")
            if attempt:  # the first one warms up the process
                times.append(elapsed)
    return statistics.median(times)


def main() -> None:
    with throwaway_database("signin"):
        from django.conf import settings

        from madoguchi.core.models import User

        pbkdf2 = median_signin_ms("pbkdf2@example.jp", PBKDF2_ONLY)
        argon2 = median_signin_ms("argon2@example.jp", settings.PRODUCTION_PASSWORD_HASHERS)
        others = [(cost, median_signin_ms(
            f"argon2-{n}@example.jp", settings.PRODUCTION_PASSWORD_HASHERS,
            ARGON2_TIME_COST=cost[0], ARGON2_MEMORY_KIB=cost[1], ARGON2_PARALLELISM=cost[2]))
            for n, cost in enumerate(OTHER_ARGON2)]
        configured = (settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB,
                      settings.ARGON2_PARALLELISM)
        for email, algorithm in (("pbkdf2@example.jp", "pbkdf2_sha256"),
                                 ("argon2@example.jp", "argon2")):
            stored = User.objects.get(email=email).password
            if stored.split("$", 1)[0] != algorithm:
                raise SystemExit(f"{email} is not hashed with {algorithm}")
    print(f"sign-ins timed: {SIGNINS} each")
    print(f"pbkdf2 sign-in ms: {pbkdf2:.1f}")
    for (time_cost, memory_kib, lanes), ms in others:
        print(f"argon2 t={time_cost} m={memory_kib} KiB p={lanes} sign-in ms: {ms:.1f}")
    print("argon2 configured: t={} m={} KiB p={}".format(*configured))
    print(f"argon2 sign-in ms: {argon2:.1f}")
    print(f"ratio: {argon2 / pbkdf2:.3f}")


if __name__ == "__main__":
    main()
