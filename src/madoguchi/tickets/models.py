"""Numbered tickets (整理券) for the city-hall counters, and the counters that call them.

A visitor takes a ticket for a purpose (転入・転居・転出, 証明書, ...) at the kiosk or online; the
number counts per purpose per day (``A001``, ``A002``, ...). Clerks of the purpose's department
call the tickets oldest first to their counter (窓口), serve them, and may transfer one to another
counter or department.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from madoguchi.core.i18n import localized


class Purpose(models.Model):
    """Why a visitor came: the queue a ticket joins (per city), served by one department."""

    city = models.ForeignKey("catalog.City", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField()
    name = models.JSONField(help_text="{'ja': ..., 'en': ...}")
    prefix = models.CharField(max_length=1, help_text="Letter before the number (A, B, ...)")
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="ticket_purposes"
    )
    default_minutes = models.PositiveSmallIntegerField(
        default=8, help_text="Assumed minutes per visitor until service times are measured"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="tickets_purpose_code"),
            models.UniqueConstraint(fields=["city", "prefix"], name="tickets_purpose_prefix"),
        ]

    def __str__(self) -> str:
        return localized(self.name)


class Counter(models.Model):
    """A numbered counter (窓口) where tickets are called to."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.JSONField(help_text="{'ja': ..., 'en': ...}")
    department = models.ForeignKey(
        "staff.Department", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="ticket_counters",
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return localized(self.name)


class DailySequence(models.Model):
    """The last number issued for a purpose on a day (one atomic upsert per ticket)."""

    purpose = models.ForeignKey(Purpose, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    issued = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["purpose", "day"], name="tickets_sequence_day"),
        ]


class Ticket(models.Model):
    """One visitor's place in a queue."""

    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        ONLINE = "online", _("Online")

    class State(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("ticket state", "Waiting")
        CALLED = "called", pgettext_lazy("ticket state", "Called")
        SERVING = "serving", pgettext_lazy("ticket state", "Being served")
        DONE = "done", pgettext_lazy("ticket state", "Done")
        ABSENT = "absent", pgettext_lazy("ticket state", "Absent")
        TRANSFERRED = "transferred", pgettext_lazy("ticket state", "Transferred")

    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField()
    number = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING)
    # The department whose clerks call it: the purpose's, or the one it was transferred to.
    department = models.ForeignKey("staff.Department", on_delete=models.PROTECT, related_name="+")
    # Set by a transfer to a particular counter: only that counter calls it.
    target_counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    recall_count = models.PositiveSmallIntegerField(default=0)
    transfer_count = models.PositiveSmallIntegerField(default=0)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the online taker's address (rate limit), never the address itself.
    client_digest = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "day", "number"],
                                    name="tickets_ticket_number"),
        ]
        indexes = [models.Index(fields=["day", "state"], name="tickets_day_state")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The number as printed and called: the purpose's letter and three digits (A007)."""
        return f"{self.purpose.prefix}{self.number:03d}"

    @property
    def queued(self) -> bool:
        return self.state in QUEUED

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


QUEUED = (Ticket.State.WAITING, Ticket.State.TRANSFERRED)
ACTIVE = (*QUEUED, Ticket.State.CALLED, Ticket.State.SERVING)
