"""Document templates and the signed documents issued from them (電子交付)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core.i18n import localized


class DocumentKind(models.TextChoices):
    DECISION = "decision", _("Decision notice")  # 決定通知書
    GRANT = "grant", _("Grant decision notice")  # 交付決定通知書
    REJECTION = "rejection", _("Rejection notice")  # 却下通知書


class DocumentTemplate(models.Model):
    """The wording of one kind of notice for one procedure.

    ``body`` is Japanese text with Django template variables; see
    :data:`madoguchi.issuance.content.TEMPLATE_VARIABLES` for the ones available.
    """

    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="document_templates"
    )
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    title = models.JSONField(help_text="{'ja': ..., 'en': ...}")
    body = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["procedure_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "kind"], name="one_template_per_kind")
        ]

    def __str__(self) -> str:
        return localized(self.title)


class DocumentSequence(models.Model):
    """The last serial used for document numbers in one year (one city per installation)."""

    year = models.PositiveIntegerField(unique=True)
    last_serial = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_serial}"


class IssuedDocument(models.Model):
    """A signed PDF issued for an application. Never edited: a re-issue supersedes it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(max_length=64, unique=True)
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField()
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="issued_documents"
    )
    template = models.ForeignKey(DocumentTemplate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    pdf = models.FileField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="one_serial_per_year")
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: object, **kwargs: object) -> None:
        """Insert once; afterwards only ``superseded_by`` may be set (see services)."""
        if self.pk is not None and kwargs.get("update_fields") != ["superseded_by"]:
            raise ValueError("issued documents are never edited; issue a new one instead")
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class CertificateKind(models.TextChoices):
    RESIDENCE = "residence", _("Certificate of residence (住民票の写し)")


class PostalCertificate(models.Model):
    """A procedure whose approved requests the clerk answers by posting a certificate printed
    from the resident registry (住民票の写しの郵送請求)."""

    procedure = models.OneToOneField("catalog.Procedure", on_delete=models.CASCADE,
                                     related_name="postal_certificate")
    kind = models.CharField(max_length=16, choices=CertificateKind.choices,
                            default=CertificateKind.RESIDENCE)

    def __str__(self) -> str:
        return f"{self.kind} by post for {self.procedure_id}"


class PostedCertificate(models.Model):
    """A certificate made for a case from the registry, and its posting (郵送).

    ``source`` and ``record_id`` name the registry person the clerk matched (the data itself is
    read from the registry at each print, audit-logged, and never copied here). ``number`` is
    the document number printed on it. ``posted_on`` is the day it was posted.
    """

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="posted_certificate")
    kind = models.CharField(max_length=16, choices=CertificateKind.choices)
    source = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)
    number = models.CharField(max_length=64, blank=True)
    prints = models.PositiveIntegerField(default=0)
    printed_at = models.DateTimeField(null=True, blank=True)
    posted_on = models.DateField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.kind} for {self.application_id}"
