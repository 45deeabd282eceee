"""The table the benchmark floor endpoint writes to."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class BenchFloorRow(models.Model):
    """One row written by the benchmark floor endpoint (enabled only with MADOGUCHI_BENCH)."""

    created_at = models.DateTimeField(default=timezone.now)
    payload = models.CharField(max_length=200)
