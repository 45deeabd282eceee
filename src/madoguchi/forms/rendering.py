"""What a form page shows: its fields with their typed values, errors and conditions.

Shared by the resident wizard and the builder's preview, so the preview is the resident page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from madoguchi.core import jsonlogic as logic

from .builder.conditions import condition_text
from .definition import FormSpec, Page, field_shown
from .fields import FieldType


def _same_page_rule(field: FieldType, page: Page) -> Any:
    """The field's show_if when it depends on a field of its own page (else ``None``)."""
    rule = field.spec.get("show_if")
    if rule is None:
        return None
    own = {f.key for f in page.value_fields}
    return rule if any(var in own for var in logic.variables(rule)) else None


def action_target(page: Page, action: str) -> tuple[FieldType | None, str]:
    """The field a button ``_action=<key>:<command>`` belongs to, and the command for it.

    A button of a field inside a group names ``<group>-<row>-<sub key>``; the group gets
    ``<row>-<sub key>:<command>`` and passes it on to that row.
    """
    key, _sep, command = action.partition(":")
    for field in page.value_fields:
        if field.key == key:
            return field, command
        if key.startswith(f"{field.key}-"):
            return field, f"{key[len(field.key) + 1:]}:{command}"
    return None, ""


def page_context(
    spec: FormSpec, page: Page, raw: Mapping[str, Any], errors: Mapping[str, str],
    feedback: Mapping[str, Any], answers: Mapping[str, Any],
) -> dict[str, Any]:
    """Context for ``applications/page.html``.

    A field whose condition depends on earlier pages is left out when it does not apply. One
    that depends on a field of the same page is shown with a note saying when to answer it
    (that is all a browser without JavaScript gets); a small script hides it until it applies.
    """
    fields = []
    for field in page.fields:
        same_page = _same_page_rule(field, page)
        if same_page is None and not field_shown(field, answers):
            continue
        fields.append({
            "field": field,
            "raw": raw.get(field.key, field.raw_from_value(None)),
            "error": errors.get(field.key, ""),
            "feedback": feedback.get(field.key),
            "reveal": condition_text(same_page, spec.definition) if same_page else "",
            "reveal_rule": json.dumps(same_page, ensure_ascii=False) if same_page else "",
        })
    shown = spec.shown_pages(answers)
    keys = [p.key for p in shown]
    return {
        "spec": spec,
        "page": page,
        "fields": fields,
        "errors": [{"message": errors[f.key], "input_id": f.input_id}
                   for f in page.value_fields if f.key in errors],
        "step": keys.index(page.key) + 1 if page.key in keys else 1,
        "steps": len(shown),
    }
