"""The HTTP registry connector: find, household and changes asked of the core system's API.

Nothing is stored: every call asks the API (see docs/registry-http.md for the endpoints and the
JSON it expects). A malformed answer raises :class:`ConnectorError` naming the field, never the
value; records are never logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import fields as dataclass_fields
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.registry import keys
from madoguchi.registry.plugins import (
    ConnectorError,
    RegistryConnector,
    ResidentQuery,
    ResidentRecord,
)
from madoguchi.registry.records import household_order, is_leaving

from .client import Clock, HttpConfig, RegistryClient, Sleep

MAX_RECORD_ID = 100  # what a counter visit keeps (Visit.record_id)
MAX_PAGES = 100_000  # a changes feed longer than this is taken for a loop

RECORD_FIELDS = tuple(f.name for f in dataclass_fields(ResidentRecord))
REQUIRED = ("record_id", "name", "household_id")
TEXT_FIELDS = ("name", "kana", "sex", "address", "household_id", "relationship",
               "resident_code", "katagaki", "reason")
DATE_FIELDS = ("birth_date", "moved_in_on")


class HttpConnector(RegistryConnector):
    """Asks the city's 住民記録 API over HTTPS (mutual TLS or a bearer token)."""

    id = "http"
    label = _("Registry API (HTTP)")

    def __init__(self, config: HttpConfig, *, clock: Clock | None = None,
                 sleep: Sleep | None = None) -> None:
        options: dict[str, Any] = {}
        if clock is not None:
            options["clock"] = clock
        if sleep is not None:
            options["sleep"] = sleep
        self.client = RegistryClient(config, **options)
        unknown = set(config.fields) - set(RECORD_FIELDS)
        if unknown:
            raise ImproperlyConfigured(
                f"REGISTRY_HTTP FIELDS: unknown record fields {sorted(unknown)}")
        self._keys = {name: config.fields.get(name, name) for name in RECORD_FIELDS}

    def find(self, query: ResidentQuery, *, limit: int = 20) -> list[ResidentRecord]:
        if query.is_empty():
            raise ValueError("an empty query")
        params = {"name": query.name, "kana": query.kana, "address": query.address,
                  "code": query.resident_code,
                  "birth_date": query.birth_date.isoformat() if query.birth_date else ""}
        params = {k: v for k, v in params.items() if v}
        params["limit"] = str(limit)
        data = self.client.get_json("find", self.client.target("find", params))
        return self._records("find", data)[:limit]

    def household(self, household_id: str) -> list[ResidentRecord]:
        if not household_id:
            return []
        target = self.client.target("household", {}, household_id=household_id)
        data = self.client.get_json("household", target, missing_ok=True)
        if data is None:
            return []
        members = [r for r in self._records("household", data) if r.active]
        return sorted(members, key=household_order)

    def changes(self, *, since: dt.datetime | None) -> Iterator[ResidentRecord]:
        params: dict[str, str] = {}
        if since is not None:
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
            params["since"] = since.isoformat()
        seen: set[str] = set()
        for _page in range(MAX_PAGES):
            data = self.client.get_json("changes", self.client.target("changes", params))
            yield from self._records("changes", data)
            cursor = data.get("next")
            if cursor in (None, ""):
                return
            if not isinstance(cursor, str) or cursor in seen:
                raise ConnectorError("registry API changes: a bad or repeated next cursor")
            seen.add(cursor)
            params["cursor"] = cursor
        raise ConnectorError("registry API changes: too many pages")

    # --- the answer ---------------------------------------------------------------------------
    def _records(self, name: str, data: Any) -> list[ResidentRecord]:
        if not isinstance(data, dict) or not isinstance(data.get("records"), list):
            raise ConnectorError(f"registry API {name}: the answer has no records list")
        return [self._record(name, i, item) for i, item in enumerate(data["records"])]

    def _record(self, name: str, index: int, item: Any) -> ResidentRecord:
        """One record of the answer. Errors name the record's position and the field only."""

        def bad(field: str, problem: str) -> ConnectorError:
            return ConnectorError(f"registry API {name}: record {index}: "
                                  f"{self._keys[field]} {problem}")

        if not isinstance(item, dict):
            raise ConnectorError(f"registry API {name}: record {index} is not an object")

        def text(field: str) -> str:
            value = item.get(self._keys[field])
            if value is None:
                return ""
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                raise bad(field, "is not a string")
            return value.strip()

        def date(field: str) -> dt.date | None:
            value = text(field)
            if not value:
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise bad(field, "is not a date (YYYY-MM-DD)") from None

        def flag(field: str) -> bool | None:
            value = item.get(self._keys[field])
            if value is None or isinstance(value, bool):
                return value
            raise bad(field, "is not true or false")

        values = {f: text(f) for f in TEXT_FIELDS}
        record_id = text("record_id")
        for field in REQUIRED:
            if not (record_id if field == "record_id" else values[field]):
                raise bad(field, "is missing")
        if len(record_id) > MAX_RECORD_ID:
            raise bad("record_id", f"is longer than {MAX_RECORD_ID} characters")
        changed_at: dt.datetime | None = None
        if text("changed_at"):
            try:
                changed_at = dt.datetime.fromisoformat(text("changed_at"))
            except ValueError:
                raise bad("changed_at", "is not an ISO 8601 time") from None
            if timezone.is_naive(changed_at):
                changed_at = timezone.make_aware(changed_at)
        active = flag("active")
        gaiji = flag("has_gaiji")
        return ResidentRecord(
            record_id=record_id, birth_date=date("birth_date"), moved_in_on=date("moved_in_on"),
            changed_at=changed_at,
            active=not is_leaving(values["reason"]) if active is None else active,
            has_gaiji=(keys.has_gaiji(values["name"], values["kana"], values["address"],
                                      values["katagaki"]) if gaiji is None else gaiji),
            **values,
        )


def connector_from_settings(values: Mapping[str, Any]) -> HttpConnector | None:
    """The connector ``settings.REGISTRY_HTTP`` describes, or None when its URL is not set
    (the connector is then not registered at all). Raises ImproperlyConfigured."""
    config = HttpConfig.from_settings(values)
    return HttpConnector(config) if config is not None else None
