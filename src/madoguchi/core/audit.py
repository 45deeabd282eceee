"""Recording who looked at or changed what. Events are append-only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .client_address import real_client_ip
from .models import AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, through the trusted reverse proxies only (None when unknown)."""
    return real_client_ip(request)


def _clean(value: Any) -> Any:
    """Drop NUL characters, which PostgreSQL cannot store, from strings anywhere in ``value``."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def record(
    request: HttpRequest,
    action: str,
    *,
    target_type: str = "",
    target_id: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event for the signed-in user of ``request``."""
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=str(user.email) if user else "anonymous",
        action=action,
        target_type=target_type,
        target_id=_clean(target_id),
        ip_address=client_ip(request),
        details=_clean(details or {}),
    )


def purge_before(cutoff: Any) -> int:
    """Delete audit events older than ``cutoff`` (their own retention, AUDIT_RETENTION_YEARS).

    The only way events ever leave the log: the model and its queryset refuse deletes, so this
    goes through the plain queryset's delete on purpose. The purge itself is recorded.
    """
    from django.db import models, transaction

    with transaction.atomic():
        old = AuditEvent.objects.filter(at__lt=cutoff)
        deleted, _by_model = models.QuerySet.delete(old)
        if deleted:
            AuditEvent.objects.create(
                actor=None, actor_label="retention", action="audit.purged",
                details={"before": cutoff.isoformat(), "events": deleted})
    return int(deleted)
