"""Export: a form definition in its interchange envelope, as a dict or as the bytes of a file."""
from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .common import FORMAT_NAME, FORMAT_VERSION, TemplateMeta

if TYPE_CHECKING:
    from ..models import FormDefinition

def build_envelope(
    slug: str, title: Mapping[str, str], definition: Mapping[str, Any], *,
    procedure_slug: str | None = None, template: TemplateMeta | None = None,
    exported_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The interchange envelope around ``definition`` (a deep copy: later edits do not leak)."""
    moment = exported_at or timezone.now()
    envelope: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": moment.isoformat(timespec="seconds"),
        "form": {
            "slug": slug,
            "title": dict(title),
            "procedure": procedure_slug,
            "definition": copy.deepcopy(dict(definition)),
        },
    }
    if template is not None:
        envelope["template"] = {"description": dict(template.description),
                                "category": template.category}
    return envelope


def export_form(
    form: FormDefinition, definition: Mapping[str, Any], *,
    template: TemplateMeta | None = None, exported_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The envelope for ``form`` with ``definition`` (usually its live version's)."""
    procedure = form.procedure.slug if form.procedure_id else None
    title = form.title if isinstance(form.title, Mapping) else {"ja": str(form.title)}
    return build_envelope(form.slug, title, definition, procedure_slug=procedure,
                          template=template, exported_at=exported_at)


def dumps(envelope: Mapping[str, Any]) -> bytes:
    """An envelope as the bytes of a file: UTF-8, Japanese as is, indented, ending in a newline."""
    text = json.dumps(envelope, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def export_json(
    form: FormDefinition, definition: Mapping[str, Any], *,
    template: TemplateMeta | None = None, exported_at: dt.datetime | None = None,
) -> bytes:
    """:func:`export_form` as the bytes of a ``.json`` file."""
    return dumps(export_form(form, definition, template=template, exported_at=exported_at))
