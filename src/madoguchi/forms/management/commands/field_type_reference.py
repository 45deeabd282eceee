"""Print the field-type reference of ``docs/plugins.md`` from the registered types."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.forms.fields import registry
from madoguchi.forms.fields.reference import reference_table


class Command(BaseCommand):
    help = "Print the field-type reference (docs/plugins.md) from the types' declarations."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(reference_table(registry.items()))
