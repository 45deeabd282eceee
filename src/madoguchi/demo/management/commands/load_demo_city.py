"""``manage.py load_demo_city``: create or refresh the fictional demo city."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.demo.city import load_demo_city


class Command(BaseCommand):
    help = "Create or update the demo city 緑ヶ丘市 (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_demo_city()
        if options["verbosity"] > 0:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
