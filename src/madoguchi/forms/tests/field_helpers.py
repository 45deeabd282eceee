"""Helpers shared by the field-type tests."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.forms.fields import FieldError, FieldType, registry


def build(type_name: str, **spec: Any) -> FieldType:
    """A field of ``type_name`` keyed "f" with a bilingual label and the given options."""
    return registry.build({"key": "f", "type": type_name, "label": {"ja": "項目", "en": "Item"},
                           **spec})


def error_of(field: FieldType, raw: Any) -> str:
    """The message a resident sees for ``raw`` (the test fails if it is accepted)."""
    with pytest.raises(FieldError) as info:
        field.validate(raw)
    return info.value.message
