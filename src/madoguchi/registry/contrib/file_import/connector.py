"""The file-import connector: the registry as last imported from the core system's extract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from madoguchi.registry import selectors
from madoguchi.registry.plugins import RegistryConnector, ResidentQuery, ResidentRecord

from .importer import SOURCE


class FileImportConnector(RegistryConnector):
    """Answers from the people imported with ``manage.py import_registry``."""

    id = SOURCE
    label = _("Registry extract (file import)")

    def find(self, query: ResidentQuery, *, limit: int = 20) -> list[ResidentRecord]:
        return selectors.find(query, source=SOURCE, limit=limit)

    def household(self, household_id: str) -> list[ResidentRecord]:
        return selectors.household(household_id, source=SOURCE)

    def changes(self, *, since: dt.datetime | None) -> Iterator[ResidentRecord]:
        return selectors.changes(source=SOURCE, since=since)
