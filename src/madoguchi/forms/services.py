"""Writes for forms: publishing a definition as a new immutable version."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .definition import DefinitionError, check_definition
from .models import FormDefinition, FormVersion


def publish(form: FormDefinition, definition: dict[str, Any]) -> FormVersion:
    """Publish ``definition`` as the form's next version, unless it equals the live one."""
    problems = check_definition(definition)
    if problems:
        raise DefinitionError(problems)
    with transaction.atomic():
        live = form.live_version
        if live is not None and live.definition == definition:
            return live
        number = (form.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return FormVersion.objects.create(
            form=form, number=number, definition=definition, published_at=timezone.now()
        )
