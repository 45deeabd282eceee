"""Subsidies paid out by bank transfer: the amount confirmed at approval (支給額) and the 全銀
総合振込 files the treasury produced (which cases, for which payment day, by whom)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


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
