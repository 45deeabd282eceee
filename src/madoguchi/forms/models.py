"""Form definitions and their immutable published versions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from madoguchi.core.i18n import localized


class FormDefinition(models.Model):
    """An online application form, linked to the procedure it serves."""

    slug = models.SlugField(unique=True)
    procedure = models.OneToOneField(
        "catalog.Procedure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="form",
    )
    title = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return localized(self.title)

    @property
    def live_version(self) -> FormVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class FormVersion(models.Model):
    """A published, never-changing snapshot of a form's JSON definition."""

    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="unique_form_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.form.slug} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and self.published_at is not None:
            stored = FormVersion.objects.filter(pk=self.pk).values_list("definition", flat=True)
            if stored and stored[0] != self.definition:
                raise ValueError("a published form version never changes")
        super().save(*args, **kwargs)
