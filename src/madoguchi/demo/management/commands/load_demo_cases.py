"""Load the demo city's sample applications (demo only; once)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.demo.cases import load_demo_cases
from madoguchi.demo.history import load_demo_history


class Command(BaseCommand):
    help = ("Create sample applications in the demo city, and a year of history for the effect "
            "dashboard (rolled up), once.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"created {load_demo_cases()} sample applications")
        started = time.perf_counter()
        history = load_demo_history()
        if history:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in history.items())
                              + f" ({time.perf_counter() - started:.1f} s)")
