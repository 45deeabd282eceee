"""Venues, services, slot calendars, bookings and waitlists (予約)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from madoguchi.core.i18n import localized


def _token() -> str:
    return secrets.token_urlsafe(24)


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Venue(models.Model):
    """A place residents go to: the health centre, a community hall."""

    code = models.SlugField(unique=True)
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="venues"
    )
    name = models.JSONField(help_text="{'ja': ..., 'en': ...}")
    address = models.JSONField(default=dict, blank=True)
    access = models.JSONField(default=dict, blank=True)
    phone = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return localized(self.name)


class Room(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms")
    name = models.JSONField()

    class Meta:
        ordering = ["venue_id", "id"]

    def __str__(self) -> str:
        return f"{self.venue} {localized(self.name)}"


class Service(models.Model):
    """Something residents book a seat for (胃がん検診, 健康相談 ...)."""

    class SexRule(models.TextChoices):
        ANY = "any", _("Anyone")
        FEMALE = "female", _("Women only")
        MALE = "male", _("Men only")

    class AgeReference(models.TextChoices):
        SLOT_DATE = "slot_date", _("Age on the day")
        FISCAL_YEAR_END = "fiscal_year_end", _("Age on 31 March of the fiscal year")

    code = models.SlugField(unique=True)
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="reservation_services"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reservation_services",
    )
    name = models.JSONField()
    description = models.JSONField(default=dict, blank=True)
    duration_minutes = models.PositiveIntegerField(default=30)
    capacity = models.PositiveIntegerField(default=1, help_text="Default seats per slot.")
    min_age = models.PositiveIntegerField(null=True, blank=True)
    max_age = models.PositiveIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=SexRule.choices, default=SexRule.ANY)
    age_reference = models.CharField(
        max_length=16, choices=AgeReference.choices, default=AgeReference.FISCAL_YEAR_END
    )
    one_per_fiscal_year = models.BooleanField(default=False)
    requires_account = models.BooleanField(default=False)
    change_deadline_days = models.PositiveIntegerField(default=1)
    change_deadline_time = models.TimeField(default=dt.time(17, 0))
    reminder_days_before = models.PositiveIntegerField(default=1)
    reminder_time = models.TimeField(default=dt.time(10, 0))
    waitlist_offer_hours = models.PositiveIntegerField(default=24)
    bookable_days_ahead = models.PositiveIntegerField(default=90)
    bookings_open_at = models.DateTimeField(null=True, blank=True)
    admission_per_minute = models.PositiveIntegerField(
        default=0, help_text="Visitors let in per minute during a rush; 0 = no waiting room."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return localized(self.name)

    def change_deadline(self, starts_at: dt.datetime) -> dt.datetime:
        """Last moment (aware, JST) a booking for a slot starting at ``starts_at`` may change."""
        local_day = timezone.localtime(starts_at).date()
        day = local_day - dt.timedelta(days=self.change_deadline_days)
        naive = dt.datetime.combine(day, self.change_deadline_time)
        deadline = timezone.make_aware(naive, timezone.get_default_timezone())
        return min(deadline, starts_at)

    def reminder_due_at(self, starts_at: dt.datetime) -> dt.datetime:
        local_day = timezone.localtime(starts_at).date()
        day = local_day - dt.timedelta(days=self.reminder_days_before)
        return timezone.make_aware(
            dt.datetime.combine(day, self.reminder_time), timezone.get_default_timezone()
        )


class SlotTemplate(models.Model):
    """A weekly time band (e.g. Tuesdays 9:00–11:30) split into slots of the service's length."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="templates")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="templates")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    start_time = models.TimeField()
    end_time = models.TimeField()
    capacity = models.PositiveIntegerField(null=True, blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["service_id", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="resv_template_weekday"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")),
                                   name="resv_template_band"),
        ]


class ClosingDay(models.Model):
    """A one-off closure: the whole city (venue null) or one venue."""

    date = models.DateField()
    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, null=True, blank=True, related_name="closing_days"
    )
    reason = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "venue"], name="resv_closing_unique"),
        ]


class Slot(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("reservation slot", "Open")
        CLOSED = "closed", pgettext_lazy("reservation slot", "Closed")

    class Source(models.TextChoices):
        TEMPLATE = "template", _("Regular")
        EXTRA = "extra", _("Extra session")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="slots")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(
        default=0, help_text="Seats taken, including seats held for a waitlist offer."
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.TEMPLATE)
    closed_reason = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["starts_at", "room_id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "room", "starts_at"],
                                    name="resv_slot_unique"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")),
                                   name="resv_slot_not_overbooked"),
        ]
        indexes = [models.Index(fields=["service", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.service} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def is_full(self) -> bool:
        return self.booked >= self.capacity


class PersonFields(models.Model):
    """Who the seat is for (a guest or an account holder)."""

    family_name = models.CharField(max_length=50)
    given_name = models.CharField(max_length=50)
    family_kana = models.CharField(max_length=50, blank=True)
    given_kana = models.CharField(max_length=50, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()


class Booking(PersonFields):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    class Channel(models.TextChoices):
        WEB = "web", _("Online")
        PHONE = "phone", pgettext_lazy("booking channel", "By phone")
        FORM = "form", _("Application form")

    ACTIVE = (Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="bookings",
    )
    request_token = models.CharField(max_length=64, unique=True)
    # NULL = the service has no once-a-year rule (the partial unique constraint skips it).
    limit_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    manage_token = models.CharField(max_length=64, default=_token, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="bookings",
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "limit_key"],
                condition=Q(limit_key__isnull=False)
                & Q(status__in=["confirmed", "attended", "no_show"]),
                name="resv_one_per_fiscal_year",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "reminder_sent_at"]),
            # The daily BPR roll-up reads one day of bookings by creation time.
            models.Index(fields=["created_at"], name="resv_booking_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class WaitlistEntry(PersonFields):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Seat offered")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Offer expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="waitlist_entries",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_until = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    request_token = models.CharField(max_length=64, unique=True)
    manage_token = models.CharField(max_length=64, default=_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["slot", "status", "created_at"])]


class QueueCounter(models.Model):
    """Arrival tickets issued for a service (used by the waiting room)."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="queue_counter")
    issued = models.PositiveIntegerField(default=0)
