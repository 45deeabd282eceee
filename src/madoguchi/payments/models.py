"""Subsidies paid out by bank transfer: the amount confirmed at approval (支給額) and the 全銀
総合振込 files the treasury produced (which cases, for which payment day, by whom)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Payout(models.Model):
    """What an approved application is paid (whole yen), as the clerk confirmed it."""

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="payout")
    amount = models.PositiveBigIntegerField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"payout of {self.application_id}: {self.amount} yen"


class TransferBatch(models.Model):
    """One 全銀 file: the cases of a procedure paid on ``payment_date``.

    The file itself is not stored (it holds account numbers): it is written again from the
    items, the cases' sealed bank accounts and the city's account whenever it is downloaded.
    ``reason`` says why cases already in an earlier file are in this one.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT,
                                  related_name="+")
    department = models.ForeignKey("staff.Department", on_delete=models.PROTECT,
                                   related_name="+")
    payment_date = models.DateField()
    count = models.PositiveIntegerField()
    total = models.PositiveBigIntegerField()
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"transfer file {self.public_id} ({self.payment_date})"


class TransferItem(models.Model):
    """A case in a file, in the file's order, with the amount the file pays it."""

    batch = models.ForeignKey(TransferBatch, on_delete=models.PROTECT, related_name="items")
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    amount = models.PositiveBigIntegerField()
    repeated = models.BooleanField(default=False)  # already in an earlier file

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "payout"], name="one_item_per_payout"),
        ]

    def __str__(self) -> str:
        return f"item {self.position} of {self.batch_id}"


# --- Fees paid online (手数料) -------------------------------------------------------------


class Charged(models.TextChoices):
    """When the resident pays a procedure's fee."""

    BEFORE_SENDING = "before_sending", _("Before sending the application")
    AFTER_REVIEW = "after_review", _("After review (the city asks for payment)")


class FeeSchedule(models.Model):
    """A procedure's structured fee: yen per copy, postage, when it is charged.

    The free-text ``Procedure.fee`` stays the explanation residents read; this is what the
    city's records charge (:func:`madoguchi.payments.fees.amount_due`).
    """

    procedure = models.OneToOneField("catalog.Procedure", on_delete=models.CASCADE,
                                     related_name="fee_schedule")
    per_copy = models.PositiveIntegerField(_("fee per copy (yen)"), default=0)
    postage = models.PositiveIntegerField(_("postage (yen)"), default=0)
    max_copies = models.PositiveSmallIntegerField(
        _("most copies per application"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)])
    charged = models.CharField(_("charged"), max_length=20, choices=Charged.choices,
                               default=Charged.AFTER_REVIEW)
    # Registry id of the payment provider; empty: settings.MADOGUCHI_PAYMENT_PROVIDER.
    provider = models.CharField(_("payment provider"), max_length=40, blank=True)

    def __str__(self) -> str:
        return f"fee of {self.procedure_id}: {self.per_copy} yen/copy + {self.postage}"


class FeeExemption(models.Model):
    """A ground for not paying (生活保護受給者 ...): the resident declares it, the clerk checks."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE,
                                 related_name="exemptions")
    code = models.SlugField(max_length=40)
    label = models.JSONField()  # {"ja": ..., "en": ...}
    covers_postage = models.BooleanField(_("postage is waived too"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "code"],
                                               name="fee_exemption_code_unique")]

    def __str__(self) -> str:
        return f"{self.schedule_id}:{self.code}"


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")


class Payment(models.Model):
    """One attempt to pay an application's fee at a provider.

    The amount is the city's (copies × fee + postage − exemption). The status only moves by
    :func:`madoguchi.payments.services.apply_result`, from a verified notification or a
    server-side status query. ``reference`` is new for each attempt and is the idempotency key
    sent to the provider.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=40, unique=True)
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                    related_name="payments")
    department = models.ForeignKey("staff.Department", on_delete=models.PROTECT,
                                   related_name="+")
    stage = models.CharField(max_length=20, choices=Charged.choices)
    provider = models.CharField(max_length=40)
    provider_payment_id = models.CharField(max_length=255, blank=True)
    copies = models.PositiveSmallIntegerField(default=1)
    per_copy = models.PositiveIntegerField(default=0)
    postage = models.PositiveIntegerField(default=0)
    exemption = models.CharField(max_length=40, blank=True)
    exempted = models.PositiveIntegerField(default=0)
    amount = models.PositiveIntegerField()
    refunded = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=PaymentState.choices,
                              default=PaymentState.PENDING)
    method = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "created_at", "id"], name="payment_dept_idx"),
            models.Index(fields=["status", "created_at"], name="payment_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_payment_id"],
                                    condition=~models.Q(provider_payment_id=""),
                                    name="payment_provider_id_unique"),
        ]

    def __str__(self) -> str:
        return f"payment {self.reference} ({self.status})"


class PaymentEvent(models.Model):
    """A status change of a payment, and what told us (append-only).

    Unique per payment, status and refunded total: whatever the locking, a payment enters a
    status once (a refund only moves on with a larger total).
    """

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    provider = models.CharField(max_length=40)
    source = models.CharField(max_length=20)  # webhook, status, staff, resident
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    refunded = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "to_status", "refunded"],
                                    name="payment_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.from_status} -> {self.to_status}"


class RefundRequest(models.Model):
    """A refund a clerk asks for; the provider is called only once an approver agrees."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        REJECTED = "rejected", _("Rejected")
        DONE = "done", _("Refunded")
        FAILED = "failed", _("Refund failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField()
    reason = models.TextField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"refund of {self.payment_id}: {self.amount} yen ({self.state})"


class DemoCharge(models.Model):
    """The demo provider's own ledger (it stands for a provider's records; no money moves)."""

    charge_id = models.CharField(max_length=40, unique=True)
    reference = models.CharField(max_length=40, unique=True)
    amount = models.PositiveIntegerField()
    description = models.CharField(max_length=300)
    return_url = models.URLField(max_length=500)
    status = models.CharField(max_length=20, default="pending")
    refunded = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"demo charge {self.charge_id} ({self.status})"


class FeeWaived(models.Model):
    """A case approved with an exemption that covers the whole fee: nothing is to be paid, and
    the case may be sent (郵送) without a payment. One per application."""

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="fee_waived")
    exemption = models.CharField(max_length=40)
    copies = models.PositiveSmallIntegerField(default=1)
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    waived_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"fee of {self.application_id} waived ({self.exemption})"
