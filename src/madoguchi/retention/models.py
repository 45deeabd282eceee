"""What the retention task leaves behind: anonymised counts of what it deleted."""

from __future__ import annotations

from django.db import models


class Tally(models.Model):
    """How many records of one kind and subject, from one month, were deleted at the end of
    their retention period: a count only, never who they were (統計 stay after deletion).

    ``subject`` is a procedure's slug (applications), a reservation service's code (bookings)
    or a department's code (inquiries); ``month`` is the first day of the month of the
    decision, of the session or of the inquiry's last message.
    """

    class Kind(models.TextChoices):
        APPLICATION = "application"
        BOOKING = "booking"
        INQUIRY = "inquiry"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    subject = models.CharField(max_length=100)
    month = models.DateField()
    deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "subject", "month"]
        constraints = [models.UniqueConstraint(fields=["kind", "subject", "month"],
                                               name="one_tally_per_kind_subject_month")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.month:%Y-%m}: {self.deleted}"
