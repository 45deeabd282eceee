"""Writing the registry (imports) and the audited look-up used by staff pages."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone

from madoguchi.core import audit
from madoguchi.staff.models import StaffMember

from . import records, selectors
from .models import ImportRun, Person, StagedRecord
from .plugins import DEATH_REASONS, ResidentQuery, ResidentRecord

# Who may look residents up: the counter clerks, and administrators (who run the system).
LOOKUP_ROLES = frozenset({StaffMember.Role.COUNTER, StaffMember.Role.ADMIN})
MAX_PURPOSE_LENGTH = 200
SQLITE_IMPORT_CACHE_KIB = 64 * 1024
UPDATED_FIELDS = ["code_index", "household_index", "name_index", "family_name_index",
                  "kana_index", "family_kana_index", "birth_index", "address_index",
                  "area_index", "has_gaiji", "sealed", "digest", "active", "changed_at",
                  "updated_at"]


class DuplicateRecord(ValueError):
    """The same record id came twice in one import."""

    def __init__(self, record_id: str) -> None:
        super().__init__(f"record {record_id} appears twice")
        self.record_id = record_id


class PurposeRequired(ValueError):
    """A look-up was asked for without saying why."""


@dataclass
class BatchCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved_out: int = 0
    died: int = 0


@contextlib.contextmanager
def import_cache() -> Iterator[None]:
    """While an import writes: on SQLite, a page cache of ``SQLITE_IMPORT_CACHE_KIB`` instead
    of the default 2 MiB (the person table's ten indexes of random keys outgrow it at about
    20,000 people, after which every insert reads its index pages back from the OS);
    the connection's own setting is restored afterwards. Nothing on other databases."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def start_run(source: str, *, file_name: str, sha256: str, full: bool) -> ImportRun:
    """The run row an import writes under (inside the import's transaction)."""
    return ImportRun.objects.create(source=source, file_name=file_name[:255], sha256=sha256,
                                    full=full)


def apply_batch(run: ImportRun, batch: Sequence[ResidentRecord],
                now: dt.datetime | None = None) -> BatchCounts:
    """Insert new people and update changed ones of ``batch``; the same records again change
    nothing. Raises :class:`DuplicateRecord` when a record id was already in this run (call
    inside the run's transaction, which then rolls back)."""
    now = now or timezone.now()
    counts = BatchCounts()
    ids = [r.record_id for r in batch]
    seen: set[str] = set()
    for record_id in ids:
        if record_id in seen:
            raise DuplicateRecord(record_id)
        seen.add(record_id)
    # No ORDER BY in SQL: with one, the planner walked the whole staging table by id for
    # every batch (quadratic); the earliest staged duplicate is picked here instead.
    already = list(StagedRecord.objects.filter(run=run, record_id__in=ids).order_by()
                   .values_list("pk", "record_id"))
    if already:
        raise DuplicateRecord(min(already)[1])
    table = _quote(StagedRecord._meta.db_table)
    _execute_many(f"INSERT INTO {table} (run_id, record_id) VALUES (%s, %s)",  # noqa: S608
                  [[run.pk, i] for i in ids])
    existing = {row[0]: row[1:] for row in Person.objects.filter(
        source=run.source, record_id__in=ids).values_list("record_id", "id", "digest",
                                                          "active", "changed_at")}
    stamp = _datetime(now)
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for record in batch:
        values = records.payload(record)
        digest = records.digest(values, record.active)
        found = existing.get(record.record_id)
        if found is not None and found[1] == digest:
            counts.unchanged += 1
            continue
        if not record.active and (found is None or found[2]):
            if record.reason in DEATH_REASONS:
                counts.died += 1
            else:
                counts.moved_out += 1
        if found is None:
            changed_at = None if record.active else (record.changed_at or now)
        elif found[2] != record.active:
            changed_at = record.changed_at or now
        else:
            changed_at = found[3]
        row = person_row(run.source, record, values, digest, changed_at=changed_at,
                         stamp=stamp)
        if found is None:
            row["created_at"] = stamp
            new.append(row)
            counts.created += 1
        else:
            row["id"] = found[0]
            changed.append(row)
            counts.updated += 1
    # One prepared statement each (executemany): an import writes up to a million rows, and
    # bulk_create / bulk_update spend most of their time building SQL value by value.
    # Only the model's own table and column names go into the SQL; values are parameters.
    if new:
        columns = person_columns()
        _execute_many(f"INSERT INTO {_quote(Person._meta.db_table)} "  # noqa: S608
                      f"({', '.join(_quote(c) for c in columns)}) "
                      f"VALUES ({', '.join(['%s'] * len(columns))})",
                      [[row[c] for c in columns] for row in new])
    if changed:
        _execute_many(f"UPDATE {_quote(Person._meta.db_table)} SET "  # noqa: S608
                      f"{', '.join(f'{_quote(c)} = %s' for c in UPDATED_FIELDS)} WHERE id = %s",
                      [[*(row[c] for c in UPDATED_FIELDS), row["id"]] for row in changed])
    return counts


def person_columns() -> list[str]:
    """The columns of a person row as :func:`person_row` gives them (all but the id)."""
    return [str(f.column) for f in Person._meta.concrete_fields if not f.primary_key]


def person_row(source: str, record: ResidentRecord, values: dict[str, Any], digest: str, *,
               changed_at: dt.datetime | None, stamp: Any) -> dict[str, Any]:
    """The columns an import writes for ``record`` (its ``values`` and ``digest`` from
    :mod:`records`): the sealed record and the blind indexes; ``stamp`` is the database's
    form of the run's time (the caller adds ``created_at`` for a new person)."""
    return {"source": source, "record_id": record.record_id,
            "sealed": records.seal(source, record, values), "digest": digest,
            "active": record.active, "changed_at": _datetime(changed_at),
            "updated_at": stamp, **records.indexed_fields(source, record)}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _datetime(value: dt.datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _execute_many(sql: str, params: list[list[Any]]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def finish_run(run: ImportRun, now: dt.datetime | None = None) -> int:
    """End a run: for a full extract, the active people it did not list are marked left
    (returns how many; their digest is cleared, so listing them again brings them back); the
    staged ids are dropped."""
    now = now or timezone.now()
    absent = 0
    if run.full:
        # NOT EXISTS (an anti-join through the unique (run, record_id) index, or a hash that
        # may spill to disk) rather than NOT IN, whose hashed list of a million staged ids
        # must fit in memory or be read again for every person.
        staged = StagedRecord.objects.filter(run=run, record_id=OuterRef("record_id"))
        absent = (Person.objects.filter(source=run.source, active=True)
                  .exclude(Exists(staged))
                  .update(active=False, changed_at=now, updated_at=now, digest=""))
    StagedRecord.objects.filter(run=run).delete()
    run.absent = absent
    run.finished_at = now
    run.save()
    return absent


@dataclass(frozen=True)
class LookUp:
    """What a look-up found: the matching households, each with every member."""

    households: list[selectors.Household]
    matched: int


def may_look_up(member: StaffMember) -> bool:
    return member.role in LOOKUP_ROLES


def look_up(request: HttpRequest, query: ResidentQuery, *, purpose: str,
            include_inactive: bool = False, limit: int = 20) -> LookUp:
    """Search the registry for a counter clerk, recording who looked, why and what was found.

    Raises :class:`PurposeRequired` without a purpose, ``ValueError`` for an empty query and
    ``PermissionDenied`` for a staff member who is not a counter role. The audit event keeps
    the purpose, the fields searched (not their values) and the record ids found.
    """
    profile = getattr(request.user, "staff_profile", None)
    if profile is None or not may_look_up(profile):
        raise PermissionDenied
    purpose = " ".join(purpose.split())[:MAX_PURPOSE_LENGTH]
    if not purpose:
        raise PurposeRequired("say why the registry is looked up")
    if query.is_empty():
        raise ValueError("the query is empty")
    with transaction.atomic():
        households = selectors.search(query, include_inactive=include_inactive, limit=limit)
        matched = [r.record_id for h in households for r in h.members if r.record_id in h.matched]
        audit.record(request, "registry.look_up", target_type="registry",
                     details={"purpose": purpose, "fields": selectors.fields_of(query),
                              "include_inactive": include_inactive, "found": matched})
    return LookUp(households=households, matched=len(matched))


# --- Certificates (住民票の写し) made for a case ----------------------------------------------
# Who may read the registry to make a certificate a case asks for: the department's clerks and
# deciders (市民課 issues the 住民票), and the counter clerks. Administrators only run the system.
CERTIFICATE_ROLES = frozenset({StaffMember.Role.CLERK, StaffMember.Role.APPROVER,
                               StaffMember.Role.HEAD, StaffMember.Role.COUNTER})


def _certificate_reader(request: HttpRequest) -> None:
    profile = getattr(request.user, "staff_profile", None)
    if profile is None or profile.role not in CERTIFICATE_ROLES:
        raise PermissionDenied


def find_for_case(request: HttpRequest, query: ResidentQuery, *, case: str,
                  purpose: str, limit: int = 20) -> list[selectors.Sourced]:
    """The current residents matching ``query``, for the certificate case ``case`` asks for.

    Audit-logged like :func:`look_up` (who, the case, why, the fields asked, the ids found);
    the caller has checked the case belongs to the staff member's department. Raises
    ``PermissionDenied`` for a role that does not make certificates, ``ValueError`` for an
    empty query.
    """
    _certificate_reader(request)
    found = selectors.find_sourced(query, limit=limit)
    audit.record(request, "registry.certificate.find", target_type="application",
                 target_id=case, details={"purpose": purpose[:MAX_PURPOSE_LENGTH],
                                          "fields": selectors.fields_of(query),
                                          "found": [f.record.record_id for f in found]})
    return found


def read_for_case(request: HttpRequest, source: str, record_id: str, *, case: str,
                  purpose: str, household: bool = False
                  ) -> tuple[ResidentRecord | None, list[ResidentRecord]]:
    """One person (and, with ``household``, every member of their household, the head first)
    read for the certificate of case ``case``; audit-logged with the ids read."""
    _certificate_reader(request)
    person = selectors.record(source, record_id)
    members: list[ResidentRecord] = []
    if person is not None and household:
        members = selectors.household(person.household_id, source=source)
    audit.record(request, "registry.certificate.read", target_type="application",
                 target_id=case, details={
                     "purpose": purpose[:MAX_PURPOSE_LENGTH], "record": record_id,
                     "household": [m.record_id for m in members]})
    return person, members
