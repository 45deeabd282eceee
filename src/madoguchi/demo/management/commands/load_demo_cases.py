"""Load the demo city's sample applications (demo only; once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.demo.cases import load_demo_cases


class Command(BaseCommand):
    help = "Create sample applications in the demo city, once."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"created {load_demo_cases()} sample applications")
