"""Departments of the city and the staff who work in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core import crypto
from madoguchi.core.i18n import localized


class Department(models.Model):
    """A department (課) that owns procedures and handles their applications."""

    code = models.SlugField(unique=True)
    name = models.JSONField(help_text="{'ja': ..., 'en': ...}")
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return localized(self.name)


class StaffMember(models.Model):
    """A city employee's profile: the department they belong to and their role in it."""

    class Role(models.TextChoices):
        CLERK = "clerk", _("Clerk")
        APPROVER = "approver", _("Approver")
        HEAD = "head", _("Head of department")
        ADMIN = "admin", _("Administrator")
        DX = "dx", _("DX office (statistics only)")
        COUNTER = "counter", _("Counter clerk")
        TREASURY = "treasury", _("Treasury (payments)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLERK)
    family_name = models.CharField(max_length=50)
    given_name = models.CharField(max_length=50)

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def handles_cases(self) -> bool:
        """May open and work on the department's applications (not the DX office)."""
        return self.role != self.Role.DX

    @property
    def sees_sensitive(self) -> bool:
        """May see sensitive answers (マイナンバー, bank account) unmasked: those who decide cases.
        Administrators run the system and the DX office reads statistics: both see them masked."""
        return self.role in (self.Role.CLERK, self.Role.APPROVER, self.Role.HEAD)

    @property
    def is_treasury(self) -> bool:
        """会計課: pays out the subsidies every department approved (the transfer file)."""
        return self.role == self.Role.TREASURY

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class StaffTOTP(models.Model):
    """A staff member's authenticator (RFC 6238 TOTP) for the second sign-in step.

    The base32 secret is sealed with :func:`madoguchi.core.crypto.seal` under the context
    ``totp:<user pk>``. Until ``confirmed_at`` is set the authenticator is being enrolled.
    ``last_used_step`` is the 30-second time step of the last accepted code: a code of that step
    or an earlier one is refused, so a code cannot be used twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_totp"
    )
    sealed_secret = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "staff TOTP authenticator"

    def __str__(self) -> str:
        return f"TOTP of user {self.user_id}"

    @property
    def context(self) -> str:
        """The encryption context that binds the sealed secret to its user."""
        return totp_context(self.user_id)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def secret(self) -> str:
        """The base32 secret (raises ``crypto.DecryptionError`` when it cannot be read)."""
        return str(crypto.unseal(self.sealed_secret, context=self.context))

    def set_secret(self, secret: str) -> None:
        self.sealed_secret = crypto.seal(secret, context=self.context)


def totp_context(user_id: int) -> str:
    """Encryption context of a user's TOTP secret."""
    return f"totp:{user_id}"
