"""The imported resident registry (住民記録): one row per person and connector.

What the core system says about a person (氏名 exactly as written, フリガナ, 生年月日, 性別,
続柄, 住所, 方書, 住定日, 異動事由, 住民票コード, 世帯番号) is sealed in ``sealed`` with
:func:`madoguchi.core.crypto.seal` under the context ``registry:<source>:<record_id>``, like
application answers. The clear columns are blind indexes (:mod:`madoguchi.registry.keys`), the
status (``active``, ``changed_at``) and the 外字 flag.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from madoguchi.core import crypto


def person_context(source: str, record_id: str) -> str:
    """The encryption context that binds a sealed person to its row."""
    return f"registry:{source}:{record_id}"


class Person(models.Model):
    """A person of the registry as last imported from one connector (``source``)."""

    source = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64, help_text="The connector's stable id.")
    code_index = models.CharField(max_length=64, db_index=True)
    household_index = models.CharField(max_length=64)
    name_index = models.CharField(max_length=64, db_index=True)
    family_name_index = models.CharField(max_length=64, db_index=True, blank=True)
    kana_index = models.CharField(max_length=64, db_index=True, blank=True)
    family_kana_index = models.CharField(max_length=64, db_index=True, blank=True)
    birth_index = models.CharField(max_length=64, db_index=True, blank=True)
    address_index = models.CharField(max_length=64, db_index=True)
    area_index = models.CharField(max_length=64, db_index=True, blank=True)
    sealed = models.TextField()
    digest = models.CharField(max_length=64, help_text="Blind index of the sealed content.")
    has_gaiji = models.BooleanField(default=False, help_text="The name or address holds a 外字.")
    active = models.BooleanField(default=True)
    changed_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When the person moved out, died or left the "
                                                "extract (or came back).")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "record_id"],
                                               name="registry_person_source_record")]
        # No index but the unique one starts with ``source``: while an import's transaction
        # fills a table whose statistics say it is (nearly) empty, PostgreSQL answered the
        # per-batch "source = … AND record_id IN (1,000 ids)" through any index on source,
        # reading every person written so far for each batch (a quadratic import).
        indexes = [models.Index(fields=["household_index", "source"],
                                name="registry_person_household_at"),
                   models.Index(fields=["updated_at", "source"],
                                name="registry_person_updated_at")]

    def __str__(self) -> str:
        return f"{self.source}:{self.record_id}"

    @property
    def context(self) -> str:
        return person_context(self.source, self.record_id)

    def data(self) -> dict[str, Any]:
        """The sealed record (raises ``crypto.DecryptionError`` when it cannot be read)."""
        value = crypto.unseal(self.sealed, context=self.context)
        return dict(value)


class ImportRun(models.Model):
    """One import of an extract that was written (a dry run or a refused file leaves none)."""

    source = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    full = models.BooleanField(default=True, help_text="A full extract: absent people left.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    moved_out = models.PositiveIntegerField(default=0)
    died = models.PositiveIntegerField(default=0)
    absent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} {self.started_at:%Y-%m-%d %H:%M}"


class StagedRecord(models.Model):
    """The record ids seen by a running import (a full extract's absent people are those not
    staged); emptied when the run ends. Keeps the import's memory constant."""

    # No index of its own: the unique (run, record_id) serves the run's look-ups, and an index
    # on the run alone drew PostgreSQL's planner (the staged rows have no statistics while a
    # run fills them) to read the whole run for every batch.
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+",
                            db_index=False)
    record_id = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "record_id"],
                                               name="registry_staged_run_record")]
