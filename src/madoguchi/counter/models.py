"""A counter visit, its timeline, and (sealed) what the resident told the clerk."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Visit(models.Model):
    """One resident served at one seat, by one department after another.

    Personal data lives only in ``sealed`` (encrypted with the public id as context): the
    resident's concept values (name, birth date, address ...), the household members concerned,
    the life events and the interview answers. ``record_id`` refers to the registry record the
    clerk opened (empty for a new resident typed in), never copying the registry.
    """

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("visit state", "Open")
        SENT = "sent", pgettext_lazy("visit state", "Sent")
        ENDED = "ended", pgettext_lazy("visit state", "Ended")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    # The department whose clerk holds the visit now (the seat stays the same).
    department = models.ForeignKey("staff.Department", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    connector = models.CharField(max_length=40, blank=True)
    record_id = models.CharField(max_length=100, blank=True)
    identified = models.BooleanField(default=False)
    # Department ids that still have to act for this visit (one-stop handoff).
    pending_departments = models.JSONField(default=list, blank=True)
    # The form slugs the clerk chose to file, and each one's double-submit token.
    forms = models.JSONField(default=list, blank=True)
    tokens = models.JSONField(default=dict, blank=True)
    # Application ids created when the visit was sent.
    applications = models.JSONField(default=list, blank=True)
    sealed = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Measured effect (see :mod:`.measures`): forms filed, interview answers the resident's data
    # prefilled and kept vs typed or changed by the clerk, keys the clerk pressed on the counter
    # pages (``None``: unknown, the browser ran no script) and minutes from ticket (or start)
    # to end, set when the visit ends.
    forms_produced = models.PositiveSmallIntegerField(default=0)
    fields_prefilled = models.PositiveSmallIntegerField(default=0)
    fields_typed = models.PositiveSmallIntegerField(default=0)
    clerk_keys = models.PositiveIntegerField(null=True, blank=True)
    minutes = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["department", "state", "opened_at"],
                                name="counter_visit_dept_idx")]

    def __str__(self) -> str:
        return f"visit {self.pk}"


class VisitEvent(models.Model):
    """One step of a visit's timeline (append-only)."""

    class Kind(models.TextChoices):
        TICKET = "ticket", _("Ticket issued")
        CALL = "call", _("Called")
        START = "start", _("Visit started")
        PREAPP = "preapp", _("Pre-application opened")
        IDENTIFY = "identify", _("Resident identified")
        PLAN = "plan", _("Life events chosen")
        INTERVIEW = "interview", _("Interview answered")
        CONFIRM = "confirm", _("Confirmed by the resident")
        SIGN = "sign", _("Signed by the resident")
        SEND = "send", _("Applications sent")
        HANDOFF = "handoff", _("Taken over by another department")
        END = "end", _("Visit ended")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey("staff.Department", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class PreApplication(models.Model):
    """A resident's pre-application (スマート申請) made at home: the life events with their
    navigator answers and the forms' answers, sealed; found at the counter by its short code.

    The code itself is kept only inside ``sealed`` (to show it to the resident again);
    ``code_digest`` (a keyed hash) finds the row. A draft (``completed_at`` empty) cannot be
    opened at the counter. Rows expire after ``COUNTER_PREAPPLICATION_DAYS``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code_digest = models.CharField(max_length=64, unique=True)
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    client_digest = models.CharField(max_length=64, blank=True, db_index=True)
    sealed = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    # Visits that took this pre-application (public ids), each one once.
    opened_by_visits = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"pre-application {self.pk}"


class Signature(models.Model):
    """The resident's signature given on the counter's screen, attached to one application of
    the visit whose form needs it (:attr:`FormSpec.needs_signature`).

    ``sealed`` holds ``{"method", "path", "name"}`` (see :mod:`.signature`), encrypted with
    the visit's public id as context.
    """

    class Method(models.TextChoices):
        DRAWN = "drawn", _("Drawn on the screen")
        TYPED = "typed", _("Full name typed and confirmed")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="signatures")
    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE,
                                       related_name="+")
    method = models.CharField(max_length=8, choices=Method.choices)
    sealed = models.TextField()
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"signature {self.pk}"
