"""Form definitions and their immutable published versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from madoguchi.core.i18n import localized


class FormDefinition(models.Model):
    """An online application form: the draft staff edit, and the versions they published.

    ``draft`` is the working definition in the builder; publishing copies it into a new
    :class:`FormVersion`. ``is_open`` is false after "unpublish": the form stops taking
    applications, and the submitted ones keep pointing at their versions.
    """

    slug = models.SlugField(unique=True)
    procedure = models.OneToOneField(
        "catalog.Procedure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="form",
    )
    department = models.ForeignKey(
        "staff.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="forms"
    )
    title = models.JSONField()
    draft = models.JSONField(default=dict, blank=True)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

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


class FormRevision(models.Model):
    """One saved state of a form's draft: who changed what, and when. Never edited."""

    form = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    summary = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="unique_form_revision_number")
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("form revisions are append-only")
        super().save(*args, **kwargs)
