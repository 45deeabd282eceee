"""``manage.py rollup_effect``: roll up the effect dashboard's figures for past days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from madoguchi.bpr.rollup_services import roll_up_days


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = ("Roll up the effect dashboard's figures of one day (--date) or of every day from "
            "--since to yesterday (Tokyo). Re-running a day replaces its rows.")

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--date", help="one day, YYYY-MM-DD")
        group.add_argument("--since", help="first day, YYYY-MM-DD, up to yesterday")

    def handle(self, *args: Any, **options: Any) -> None:
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        if options["date"]:
            first = last = _date(options["date"])
        else:
            first, last = _date(options["since"]), yesterday
            if first > last:
                raise CommandError(f"--since must be {yesterday.isoformat()} or earlier")
        results = roll_up_days(first, last)
        if options["verbosity"] > 0:
            rows = sum(r.rows for r in results)
            self.stdout.write(f"rolled up {len(results)} day(s), {rows} day row(s)")
