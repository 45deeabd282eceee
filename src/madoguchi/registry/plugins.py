"""Registry connectors: read resident records (住民記録) from the city's core system.

A connector is a plugin: a subclass of :class:`RegistryConnector`, one instance registered in
:data:`registry_connectors` under its ``id`` from the ``ready()`` of the app that holds it
(``madoguchi/registry/contrib/<connector>/``). Counter look-up and prefill call::

    records = connector.find(ResidentQuery(name="山田 太郎", birth_date=date(1980, 4, 1)))
    members = connector.household(records[0].household_id)
    for record in connector.changes(since=last_sync): ...   # import / sync

Records are personal data of the highest sensitivity: callers log every look-up (who, why)
in the audit trail; connectors return only what the query matched.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from madoguchi.core.plugins import Registry


@dataclass(frozen=True)
class ResidentQuery:
    """What the clerk or the form knows. Empty fields are not used; at least one is set.

    ``name`` and ``kana`` match regardless of spaces and width, and ``name`` also through
    異体字 folding (髙/高, 﨑/崎); ``resident_code`` is the 11-digit 住民票コード and, when
    given, matches exactly.
    """

    name: str = ""
    kana: str = ""
    birth_date: dt.date | None = None
    address: str = ""
    resident_code: str = ""

    def is_empty(self) -> bool:
        return not (self.name or self.kana or self.birth_date or self.address
                    or self.resident_code)


# 異動事由 that end a person's registration in the city.
DEATH_REASONS = frozenset({"死亡", "失踪宣告"})
MOVE_OUT_REASONS = frozenset({"転出", "国外転出", "職権消除"})


@dataclass(frozen=True)
class ResidentRecord:
    """One person as the core system records them (基本4情報 and the household).

    ``record_id`` is the connector's stable id for the person; ``active`` is false once the
    person moved out or died (転出, 死亡), with ``changed_at`` the date of that change.
    ``name`` is exactly as the core system writes it (異体字 and 外字 kept); ``katagaki`` is the
    方書 (building, room), ``moved_in_on`` the 住定日 and ``reason`` the last 異動事由.
    """

    record_id: str
    name: str
    kana: str
    birth_date: dt.date | None
    sex: str
    address: str
    household_id: str
    relationship: str = ""  # 続柄 as the core system states it (世帯主, 妻, 子 ...)
    resident_code: str = ""
    active: bool = True
    changed_at: dt.datetime | None = None
    katagaki: str = ""
    moved_in_on: dt.date | None = None
    reason: str = ""
    has_gaiji: bool = False

    @property
    def status(self) -> str:
        """"resident", "moved_out", "died", or "absent" (inactive without a leaving 異動事由:
        no longer in the core system's extract)."""
        if self.active:
            return "resident"
        if self.reason in DEATH_REASONS:
            return "died"
        return "moved_out" if self.reason in MOVE_OUT_REASONS else "absent"


class ConnectorError(Exception):
    """The core system could not answer (down, refused, timed out); nothing was changed."""


class RegistryConnector(ABC):
    """The contract of a registry connector.

    Attributes: ``id`` (registry id), ``label`` (translatable, for staff), ``demo`` (enabled
    only with MADOGUCHI_DEMO or in tests).

    Every method is read only on the core system and safe to repeat. Connections use the
    city's closed network or mutual TLS as the core system requires; credentials come from
    settings or the environment. Connectors never log record contents.
    """

    id: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    demo: ClassVar[bool] = False

    @abstractmethod
    def find(self, query: ResidentQuery, *, limit: int = 20) -> list[ResidentRecord]:
        """The records matching ``query`` (all given fields must match), best first, at most
        ``limit``. Raises ``ValueError`` for an empty query and :class:`ConnectorError` when
        the core system cannot answer; no match is ``[]``."""

    @abstractmethod
    def household(self, household_id: str) -> list[ResidentRecord]:
        """Every current member of the household (世帯), the head first; ``[]`` when unknown."""

    @abstractmethod
    def changes(self, *, since: dt.datetime | None) -> Iterator[ResidentRecord]:
        """Records created or changed after ``since`` (every record when ``None``), for import
        and sync. Importing the same changes twice gives the same result (records carry their
        ``record_id``); raises :class:`ConnectorError` when interrupted, so the caller keeps
        its previous ``since``."""


class RegistryConnectorRegistry(Registry[RegistryConnector]):
    """The installed registry connectors (one instance each, registered under their ``id``)."""

    plugin_class = RegistryConnector
    id_attribute = "id"


registry_connectors = RegistryConnectorRegistry("registry_connectors")
