"""The city, its counters and its procedures (手続き), as residents read them."""

from __future__ import annotations

from django.db import models

from madoguchi.core.i18n import localized
from madoguchi.jp.names import name_search_key


class City(models.Model):
    """The municipality running this installation (one row)."""

    code = models.CharField(max_length=6, unique=True)
    name = models.JSONField()
    address = models.JSONField()
    postal_code = models.CharField(max_length=7)
    phone = models.CharField(max_length=20)
    hours = models.JSONField()
    notice = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "cities"

    def __str__(self) -> str:
        return localized(self.name)


class Counter(models.Model):
    """A physical counter (窓口) with its place and opening hours."""

    code = models.SlugField(unique=True)
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="counters"
    )
    name = models.JSONField()
    number = models.JSONField(default=dict)
    building = models.JSONField(default=dict)
    floor = models.JSONField(default=dict)
    hours = models.JSONField(default=dict)

    def __str__(self) -> str:
        return localized(self.name)


class Procedure(models.Model):
    """A procedure a resident can carry out, with everything they need to know about it."""

    slug = models.SlugField(unique=True)
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="procedures"
    )
    counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="procedures"
    )
    name = models.JSONField()
    kana = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict)
    description = models.JSONField(default=dict)
    eligibility = models.JSONField(default=dict)
    deadline = models.JSONField(default=dict)
    documents = models.JSONField(default=list, blank=True)
    fee = models.JSONField(default=dict)
    online = models.BooleanField(default=False)
    online_note = models.JSONField(default=dict, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    life_events = models.JSONField(default=list, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return localized(self.name)

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    @property
    def accepts_online_application(self) -> bool:
        """True when a resident can apply on this site (a published form exists)."""
        if not self.online:
            return False
        annotated = getattr(self, "has_published_form", None)
        if annotated is not None:
            return bool(annotated)
        form = getattr(self, "form", None)
        return form is not None and form.is_open and form.live_version is not None

    def build_search_text(self) -> str:
        """A folded text of every searchable word, for width/kana-insensitive matching."""
        parts: list[str] = [self.kana, *map(str, self.keywords)]
        for value in (self.name, self.summary, self.description, self.eligibility):
            if isinstance(value, dict):
                parts.extend(str(v) for v in value.values())
        return "\n".join(name_search_key(p) for p in parts if p)
