"""What each imported translation was translated from, so a later change of the Japanese shows
it as stale ("source changed")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SourceRecord(models.Model):
    """The Japanese a translation was made from (its hash), for one text key and language.

    ``key`` is the workbook's row key (``procedure:tennyu:name``, ``form:12:fields.x.label``,
    ``faq:7:answer``). Written on every import of a non-empty translation."""

    key = models.CharField(max_length=300)
    language = models.CharField(max_length=10)
    source_hash = models.CharField(max_length=16)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"], name="translation_source_key_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} [{self.language}]"
