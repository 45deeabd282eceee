"""Cross-cutting models: the user account, the audit log, sign-in throttling, the demo mailbox."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One sign-in identity. A user is either a resident or a staff member, never both."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff")

    email = models.EmailField(_("email address"), unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RESIDENT)
    display_name = models.CharField(_("name"), max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_resident(self) -> bool:
        return self.kind == self.Kind.RESIDENT

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    """Refuses bulk updates and deletes, which would bypass the model's own checks."""

    def update(self, **kwargs: object) -> int:
        raise ValueError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("audit events are append-only")


class AuditEvent(models.Model):
    """An append-only record of an access to personal data or a security-relevant action."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("audit events are append-only")


class LoginAttempt(models.Model):
    """An attempt counted to slow down abuse across all server processes: a failed sign-in
    (realm "resident" or "staff") or a use of an abuse-limited action (realm: its scope in
    ``settings.RATE_LIMITS``, see ``core.ratelimit``)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    realm = models.CharField(max_length=16)
    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)


class MailboxMessage(models.Model):
    """A sent e-mail kept by the mailbox backend (demo and tests; SMTP in production)."""

    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    from_email = models.CharField(max_length=254)
    to = models.TextField()
    subject = models.CharField(max_length=500)
    body = models.TextField()

    class Meta:
        ordering = ["-sent_at", "-id"]


class WorkerHeartbeat(models.Model):
    """A task worker that is alive: each worker process (``manage.py db_worker_heartbeat``)
    updates its row every few seconds, so ``/readyz`` can tell someone runs the queue."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)
