"""Roll-up tables of the effect dashboard: counts per day, and the same summed per month.

A background task rolls up one Tokyo day at a time (:mod:`madoguchi.bpr.rollup_services`): it
replaces every ``DAY`` row of that day, then re-sums the ``MONTH`` rows of the day's month from
its day rows. The dashboard reads only ``MONTH`` rows (its periods are month ranges), so a page
costs the same whatever the number of applications. Only counts, minutes and lead-time
histograms are stored: no names, no receipt numbers, nothing about a person.
"""

from __future__ import annotations

from django.db import models


class Span(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"


class RollupRow(models.Model):
    """What every roll-up row has: its span (a day, or a month starting on ``start``)."""

    span = models.CharField(max_length=5, choices=Span.choices)
    start = models.DateField(help_text="The day, or the first day of the month")
    department = models.ForeignKey("staff.Department", null=True, on_delete=models.CASCADE,
                                   related_name="+")

    class Meta:
        abstract = True


class ApplicationFigures(RollupRow):
    """Applications of one procedure and channel: received on the day, decided (承認 or 却下)
    on the day with their lead times 受付→決定, and returned (差戻し) on the day.

    ``lead_days`` is a histogram ``{"whole days": count}`` of the decided applications' lead
    times, so percentiles over any span are computed from it (:func:`bpr.figures.percentile`).
    """

    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)
    received = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    decided_after_return = models.PositiveIntegerField(
        default=0, help_text="Decided applications that had been returned at least once")
    returned = models.PositiveIntegerField(default=0, help_text="差戻し requested")
    lead_days = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["span", "start", "procedure", "channel"],
                                               name="bpr_appfig_unique")]
        indexes = [models.Index(fields=["span", "start"], name="bpr_appfig_start_idx")]


class BookingFigures(RollupRow):
    """Reservations made on the day for one department's services (and procedure): online
    (web or an application form) or by phone (booked by staff)."""

    procedure = models.ForeignKey("catalog.Procedure", null=True, on_delete=models.CASCADE,
                                  related_name="+")
    online = models.PositiveIntegerField(default=0)
    phone = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["span", "start"], name="bpr_bookfig_start_idx")]


class ChatFigures(RollupRow):
    """Chat questions of the day, by the department of the FAQ that answered (none when no FAQ
    matched): answered, unanswered (no match or marked unhelpful), and inquiries opened from a
    chat question (escalated) by the inquiry's department."""

    questions = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["span", "start"], name="bpr_chatfig_start_idx")]


class VisitFigures(RollupRow):
    """Counter visits (書かない窓口) ended on the day, by the department that opened them: how
    many, their minutes in total (for the minutes per visit) and the forms they produced."""

    visits = models.PositiveIntegerField(default=0)
    minutes = models.DecimalField(max_digits=12, decimal_places=1, default=0)
    forms = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["span", "start"], name="bpr_visitfig_start_idx")]


ROLLUP_MODELS: tuple[type[RollupRow], ...] = (ApplicationFigures, BookingFigures, ChatFigures,
                                              VisitFigures)
