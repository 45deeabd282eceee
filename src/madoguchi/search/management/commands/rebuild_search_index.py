"""``manage.py rebuild_search_index [kind ...]``: rebuild the site search index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from madoguchi.core import search_sources
from madoguchi.search import services


class Command(BaseCommand):
    help = "Rebuild the search index from every registered source (or the kinds given)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kinds", nargs="*", help="kinds to rebuild (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = options["kinds"] or None
        try:
            count = services.rebuild(kinds)
        except LookupError as exc:
            known = ", ".join(search_sources.sources()) or "none"
            raise CommandError(f"{exc} (registered: {known})") from exc
        self.stdout.write(f"{count} documents indexed")
