"""``manage.py demo_banner --base-url URL``: the demo's addresses and accounts, for ``serve``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email


def banner_lines(base: str) -> list[str]:
    """The demo mailbox address and the demo accounts, as ``serve`` prints them."""
    return [
        f"  Demo mailbox:     {base}/demo/mail/",
        "",
        f"Demo accounts (password for all: {DEMO_PASSWORD})",
        f"  Resident:                      {DEMO_RESIDENT_EMAIL}",
        f"  子育て支援課 staff (clerk):    {staff_email('kosodate1')}",
        f"  子育て支援課 staff (approver): {staff_email('kosodate2')}",
        f"  市民課 staff (clerk):          {staff_email('shimin1')}",
        f"  市民課 counter (registry):     {staff_email('shimin-counter')}",
        "  Other departments: shimin / kenko / gakko / fukushi / zeimu + 1, 2, 3",
    ]


class Command(BaseCommand):
    help = "Print the demo's addresses and accounts (what 'serve' shows in demo mode)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        for line in banner_lines(options["base_url"].rstrip("/")):
            self.stdout.write(line)
