"""Reading the registry: people by name (異体字 folded), furigana, birth date, address or
住民票コード, with their households.

These reads are not audited by themselves: staff pages go through
:func:`madoguchi.registry.services.look_up`, which records who looked and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from . import keys, records
from .models import Person
from .plugins import ResidentQuery, ResidentRecord

MAX_LIMIT = 100


@dataclass(frozen=True)
class Household:
    """A household (世帯) with every member (the head first) and which of them matched."""

    household_id: str
    members: list[ResidentRecord]
    matched: frozenset[str] = field(default_factory=frozenset)


def fields_of(query: ResidentQuery) -> list[str]:
    """The names of the fields a query uses (for the audit trail, never the values)."""
    return [name for name in ("name", "kana", "birth_date", "address", "resident_code")
            if getattr(query, name)]


def _either(column: str, family_column: str, index: str) -> Q:
    return Q(**{column: index}) | Q(**{family_column: index})


def _matching(query: ResidentQuery) -> Q:
    if query.is_empty():
        raise ValueError("the query is empty")
    condition = Q()
    if query.name:
        whole, _family = keys.name_indexes(query.name)
        condition &= _either("name_index", "family_name_index", whole)
    if query.kana:
        whole, _family = keys.kana_indexes(query.kana)
        condition &= _either("kana_index", "family_kana_index", whole)
    if query.birth_date:
        condition &= Q(birth_index=keys.birth_index(query.birth_date.isoformat()))
    if query.address:
        whole, _area = keys.address_indexes(query.address)
        condition &= (Q(address_index=whole) | Q(area_index=whole))
    if query.resident_code:
        condition &= Q(code_index=keys.code_index(query.resident_code))
    return condition


def people(query: ResidentQuery, *, source: str | None = None,
           include_inactive: bool = False) -> QuerySet[Person]:
    """The stored people matching every field of ``query``, in import order.

    A name or furigana matches the whole name (spaces, width, kana and 異体字 ignored) or the
    family name alone; an address matches the whole address or its area (the part before the
    first block number)."""
    rows = Person.objects.filter(_matching(query))
    if source is not None:
        rows = rows.filter(source=source)
    if not include_inactive:
        rows = rows.filter(active=True)
    return rows.order_by("id")


def find(query: ResidentQuery, *, source: str | None = None, include_inactive: bool = False,
         limit: int = 20) -> list[ResidentRecord]:
    """The records matching ``query``, at most ``limit`` (ValueError for an empty query)."""
    limit = max(1, min(limit, MAX_LIMIT))
    found = people(query, source=source, include_inactive=include_inactive)[:limit]
    return [records.to_record(p) for p in found]


def _members(source: str, household_index: str, include_inactive: bool) -> list[ResidentRecord]:
    rows = Person.objects.filter(source=source, household_index=household_index)
    if not include_inactive:
        rows = rows.filter(active=True)
    return sorted((records.to_record(p) for p in rows), key=records.household_order)


def household(household_id: str, *, source: str,
              include_inactive: bool = False) -> list[ResidentRecord]:
    """Every member of a household of ``source`` (the head first); [] when unknown."""
    return _members(source, keys.household_index(source, household_id), include_inactive)


def search(query: ResidentQuery, *, source: str | None = None, include_inactive: bool = False,
           limit: int = 20) -> list[Household]:
    """The households of the people matching ``query`` (at most ``limit`` people), in the
    order of their first match, each with all its members."""
    limit = max(1, min(limit, MAX_LIMIT))
    found = list(people(query, source=source, include_inactive=include_inactive)
                 .only("id", "source", "record_id", "household_index")[:limit])
    matched: dict[tuple[str, str], set[str]] = {}
    for person in found:
        matched.setdefault((person.source, person.household_index), set()).add(person.record_id)
    out = []
    for (person_source, index), ids in matched.items():
        members = _members(person_source, index, include_inactive)
        household_id = members[0].household_id if members else ""
        out.append(Household(household_id=household_id, members=members,
                             matched=frozenset(ids)))
    return out


def changes(*, source: str, since: dt.datetime | None) -> Iterator[ResidentRecord]:
    """The records of ``source`` changed after ``since`` (all when None), oldest first."""
    rows = Person.objects.filter(source=source)
    if since is not None:
        rows = rows.filter(updated_at__gt=since)
    for person in rows.order_by("updated_at", "id").iterator(chunk_size=1000):
        yield records.to_record(person)


def record(source: str, record_id: str) -> ResidentRecord | None:
    """The stored person ``record_id`` of ``source`` (moved out or not), or None."""
    person = Person.objects.filter(source=source, record_id=record_id).first()
    return records.to_record(person) if person is not None else None


@dataclass(frozen=True)
class Sourced:
    """A record with the connector (``source``) it was imported from."""

    source: str
    record: ResidentRecord


def find_sourced(query: ResidentQuery, *, limit: int = 20) -> list[Sourced]:
    """The current residents matching ``query`` with their source, at most ``limit``."""
    limit = max(1, min(limit, MAX_LIMIT))
    return [Sourced(p.source, records.to_record(p)) for p in people(query)[:limit]]
