"""The search index (one row per document) and the synonym groups staff edit.

Backend-specific indexes live next to ``search_entrycontent`` (see the migrations): on SQLite
two FTS5 tables kept in step by triggers (``search_entry_tri``, trigram tokenizer over
``head_f`` and ``text_f``, and ``search_entry_gram``, one- and two-character grams for short
queries); on PostgreSQL GIN indexes, pg_trgm over ``head_f`` and ``text_f`` and array indexes
over the grams.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    """A document as ranked: narrow rows (folded title and keywords), so that reading
    thousands of candidates stays cheap. What is shown and searched lives in ``EntryContent``."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    department_id = models.BigIntegerField(null=True, blank=True)
    boost = models.FloatField(default=1.0)
    title_length = models.PositiveIntegerField(default=0)
    # Folded titles of both languages and folded keywords, one a line, each between newlines
    # (so "\nword\n" is an exact match and "\nword" a prefix match).
    title_f = models.TextField()
    keywords_f = models.TextField()

    class Meta:
        db_table = "search_entry"
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="search_entry_kind_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class EntryContent(models.Model):
    """The shown fields of an entry as given, and its full folded text and grams (indexed)."""

    entry = models.OneToOneField(Entry, primary_key=True, on_delete=models.CASCADE,
                                 related_name="content")
    url = models.CharField(max_length=500)
    title = models.JSONField(default=dict)
    body = models.JSONField(default=dict)
    keywords = models.JSONField(default=list)
    # Folded titles and keywords (the "head"), folded bodies, and the grams of each.
    head_f = models.TextField()
    text_f = models.TextField()
    head_grams = models.TextField()
    grams = models.TextField()

    class Meta:
        db_table = "search_entrycontent"

    def __str__(self) -> str:
        return str(self.entry_id)


class SynonymGroup(models.Model):
    """Terms searched as one: a query word equal to (or containing) one of them also finds
    the others."""

    terms = models.JSONField(default=list, verbose_name=_("terms"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return " / ".join(self.terms)


class SynonymTerm(models.Model):
    """One folded term of a group, for the look-up at query time (kept by the services)."""

    group = models.ForeignKey(SynonymGroup, on_delete=models.CASCADE, related_name="folded")
    term = models.CharField(max_length=100, db_index=True)

    def __str__(self) -> str:
        return self.term
