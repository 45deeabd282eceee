"""``manage.py rotate_encryption_key``: re-seal every sealed value under the current key.

The fields come from :data:`madoguchi.core.sealed_fields.sealed_fields`, where each app
registers its own; they are rotated in the order of their labels. Put the new key first in
``MADOGUCHI_ENCRYPTION_KEYS`` (keep the old ones after it), restart, run this command, then
remove the old keys. Values already sealed under the current key are skipped, so the command is
idempotent and, when interrupted, resumes where it stopped. Each batch is one transaction; a
value changed meanwhile by the application is left for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from madoguchi.core import crypto
from madoguchi.core.sealed_fields import SealedField, sealed_fields


@dataclass
class Counts:
    resealed: int = 0
    current: int = 0
    unreadable: int = 0


def current_key_id() -> str:
    """The key that seals, after checking the key list is usable; else CommandError."""
    spec = settings.ENCRYPTION_KEYS or ""
    kids = [item.strip().partition(":")[0] for item in spec.split(",") if item.strip()]
    duplicates = sorted({k for k in kids if kids.count(k) > 1})
    if duplicates:
        raise CommandError(f"key id(s) listed twice in the encryption keys: {duplicates}")
    try:
        return crypto.current_key_id()
    except (ValueError, KeyError) as exc:
        raise CommandError(f"the encryption keys cannot be used: {exc}") from exc


def rotate_field(sealed: SealedField, kid: str, *, batch_size: int, dry_run: bool) -> tuple[
    Counts, list[str]
]:
    """Re-seal one field's values that are not under ``kid``; returns counts and unreadable pks."""
    model: type[models.Model] = apps.get_model(sealed.model)
    name = sealed.field
    counts = Counts()
    unreadable: list[str] = []
    base = model._default_manager.exclude(**{name: ""})
    counts.current = base.filter(**{f"{name}__startswith": f"{crypto.PREFIX}:{kid}:"}).count()
    todo = base.exclude(**{f"{name}__startswith": f"{crypto.PREFIX}:{kid}:"})
    last_pk: Any = None
    while True:
        with transaction.atomic():
            batch_qs = todo.order_by("pk")
            if last_pk is not None:
                batch_qs = batch_qs.filter(pk__gt=last_pk)
            batch = list(batch_qs.select_for_update()[:batch_size])
            if not batch:
                break
            for obj in batch:
                last_pk = obj.pk
                old = getattr(obj, name)
                context = sealed.context(obj)
                try:
                    value = crypto.unseal(old, context=context)
                except crypto.DecryptionError:
                    counts.unreadable += 1
                    unreadable.append(str(obj.pk))
                    continue
                if dry_run:
                    counts.resealed += 1
                    continue
                new = crypto.seal(value, context=context)
                # Only if unchanged since it was read (the row is locked on PostgreSQL).
                counts.resealed += model._default_manager.filter(
                    pk=obj.pk, **{name: old}
                ).update(**{name: new})
    return counts, unreadable


class Command(BaseCommand):
    help = "Re-seal every encrypted value under the current (first) key of ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would be re-sealed (and what cannot be read)")
        parser.add_argument("--batch-size", type=int, default=500,
                            help="values per transaction (default 500)")
        parser.add_argument("--key", dest="expected_key", default="",
                            help="refuse unless the current key has this id (a guard against "
                                 "running with an old key list)")

    def handle(self, *args: Any, **options: Any) -> None:
        kid = current_key_id()
        expected = options["expected_key"]
        if expected and expected != kid:
            raise CommandError(
                f"the current key is {kid!r}, not {expected!r}: put the new key first in "
                "MADOGUCHI_ENCRYPTION_KEYS"
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        dry_run = options["dry_run"]
        verb = "would re-seal" if dry_run else "re-sealed"
        total = Counts()
        problems: dict[str, list[str]] = {}
        for sealed in sorted(sealed_fields, key=lambda sealed: sealed.label):
            counts, unreadable = rotate_field(sealed, kid, batch_size=options["batch_size"],
                                              dry_run=dry_run)
            total.resealed += counts.resealed
            total.current += counts.current
            total.unreadable += counts.unreadable
            if unreadable:
                problems[sealed.label] = unreadable
            self.stdout.write(f"{sealed.label}: {verb} {counts.resealed}, already under "
                              f"{kid!r} {counts.current}, unreadable {counts.unreadable}")
        self.stdout.write(f"total: {verb} {total.resealed}, already current {total.current}, "
                          f"unreadable {total.unreadable} (key {kid!r})")
        if problems:
            listed = "; ".join(f"{label} pk {', '.join(pks[:20])}"
                               for label, pks in problems.items())
            raise CommandError(
                f"{total.unreadable} value(s) could not be decrypted with any listed key and "
                f"were left as they are: {listed}. Do not remove old keys until this is solved."
            )
