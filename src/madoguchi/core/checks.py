"""Deployment checks (``manage.py check --deploy``) for installations with several servers."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

SHARED_SECRETS = ("MADOGUCHI_SECRET_KEY", "MADOGUCHI_ENCRYPTION_KEYS",
                  "MADOGUCHI_REGISTRY_INDEX_KEY")


@register(Tags.security, deploy=True)
def shared_secrets(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """On PostgreSQL (where several servers may share the database) each secret must come from
    the environment: a host that generated its own in var/ signs and seals with other keys than
    its neighbours, and residents sent to it lose their session and waiting-room place."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return []
    return [
        Warning(
            f"{name} is not set: this host uses a key it generated in {settings.VAR_DIR}.",
            hint="Set the same value on every web and worker host (docs/deploy.md).",
            id="madoguchi.W001",
        )
        for name in SHARED_SECRETS if not os.environ.get(name)
    ]
