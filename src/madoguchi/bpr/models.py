"""BPR worksheets: every step of a procedure's work, as it is and as it will be.

A department head or the DX office lists the steps of one procedure row by row (鶴岡市's
worksheet): who acts, what they do, through which medium, how many minutes a case takes and how
many cases a year, the problems expected, the parties to coordinate and the status of that
coordination. The same procedure has two views, as-is and to-be; an as-is step may be "replaced
by" a to-be step. Each step keeps an append-only evidence log of its coordination. Every saved
change of the worksheet is kept as a numbered version (a JSON snapshot of all its steps).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class View(models.TextChoices):
    AS_IS = "as_is", pgettext_lazy("bpr view", "As-is")
    TO_BE = "to_be", pgettext_lazy("bpr view", "To-be")


class Actor(models.TextChoices):
    RESIDENT = "resident", pgettext_lazy("bpr actor", "Resident")
    COUNTER = "counter", pgettext_lazy("bpr actor", "Counter")
    DEPARTMENT = "department", pgettext_lazy("bpr actor", "Department")
    OTHER = "other", pgettext_lazy("bpr actor", "Other organisation")


class Medium(models.TextChoices):
    PAPER = "paper", pgettext_lazy("bpr medium", "Paper")
    PHONE = "phone", pgettext_lazy("bpr medium", "Phone")
    COUNTER = "counter", pgettext_lazy("bpr medium", "Counter")
    ONLINE = "online", pgettext_lazy("bpr medium", "Online")
    LINE = "line", pgettext_lazy("bpr medium", "LINE")
    OCR = "ocr", pgettext_lazy("bpr medium", "AI-OCR")


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("bpr status", "Not started")
    COORDINATING = "coordinating", pgettext_lazy("bpr status", "Coordinating")
    AGREED = "agreed", pgettext_lazy("bpr status", "Agreed")
    DONE = "done", pgettext_lazy("bpr status", "Done")


class Worksheet(models.Model):
    """The BPR worksheet of one procedure (one per procedure)."""

    procedure = models.OneToOneField(
        "catalog.Procedure", on_delete=models.CASCADE, related_name="bpr_worksheet"
    )
    version = models.PositiveIntegerField(default=0, help_text="Number of the latest saved version")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"worksheet {self.procedure_id} v{self.version}"


class Step(models.Model):
    """One row of a worksheet view."""

    worksheet = models.ForeignKey(Worksheet, on_delete=models.CASCADE, related_name="steps")
    view = models.CharField(max_length=8, choices=View.choices)
    order = models.PositiveSmallIntegerField()
    actor = models.CharField(max_length=12, choices=Actor.choices)
    action = models.CharField(max_length=200)
    medium = models.CharField(max_length=8, choices=Medium.choices)
    minutes_per_case = models.DecimalField(
        max_digits=7, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    cases_per_year = models.PositiveIntegerField(default=0)
    problems = models.TextField(blank=True)
    parties = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )

    class Meta:
        ordering = ["worksheet", "view", "order"]
        constraints = [
            models.UniqueConstraint(fields=["worksheet", "view", "order"], name="bpr_step_order"),
        ]

    def __str__(self) -> str:
        return f"{self.view} {self.order}: {self.action}"

    def clean(self) -> None:
        if self.replaced_by_id is not None:
            target = self.replaced_by
            if self.view != View.AS_IS or target is None or target.view != View.TO_BE:
                raise ValidationError(_("Only an as-is step can be replaced, by a to-be step."))
            if target.worksheet_id != self.worksheet_id:
                raise ValidationError(_("A step is replaced by a step of the same worksheet."))


class Evidence(models.Model):
    """A dated, append-only entry of a step's coordination log: who, what was agreed."""

    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="evidence")
    date = models.DateField()
    who = models.CharField(max_length=200, help_text="People or organisation met")
    agreed = models.TextField()
    attachment = models.FileField(upload_to="bpr/evidence/%Y/%m/", max_length=200, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True,
                                       help_text="Content type found in the file's bytes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["step", "date", "id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("Evidence entries are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError("Evidence entries are append-only.")


class WorksheetVersion(models.Model):
    """A saved state of a worksheet: all its steps as a JSON snapshot, kept for history."""

    worksheet = models.ForeignKey(Worksheet, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["worksheet", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["worksheet", "number"], name="bpr_version_number"),
        ]

from .rollups import ApplicationFigures, BookingFigures, ChatFigures, VisitFigures  # noqa: E402, F401
