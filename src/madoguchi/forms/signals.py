"""Keep the per-process form caches honest when versions are written."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import selectors
from .models import FormVersion


@receiver(post_save, sender=FormVersion)
@receiver(post_delete, sender=FormVersion)
def forget_cached_versions(**kwargs: Any) -> None:
    selectors.clear_caches()
