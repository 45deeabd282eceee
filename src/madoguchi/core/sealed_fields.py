"""The model fields that hold values sealed with :func:`madoguchi.core.crypto.seal`.

``manage.py rotate_encryption_key`` re-seals every field registered here. The app that owns a
model with a sealed field registers it in its ``ready()``, with the encryption context of a row,
so core never imports the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .plugins import Registry


@dataclass(frozen=True)
class SealedField:
    """A model field holding a value sealed by :func:`crypto.seal`, with its context."""

    model: str  # "app_label.ModelName"
    field: str
    context: Callable[[Any], str]

    @property
    def label(self) -> str:
        return f"{self.model}.{self.field}"


class SealedFieldRegistry(Registry[SealedField]):
    """Sealed fields by label (``"app_label.ModelName.field"``), in registration order."""

    plugin_class = SealedField
    id_attribute = "label"


sealed_fields = SealedFieldRegistry("sealed_fields")
