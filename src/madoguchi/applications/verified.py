"""Identity fields verified by an identity provider: prefilled, shown as verified, locked.

A form that needs a card-based sign-in (``"assurance": "high"``) takes the applicant's 氏名,
住所, 生年月日 and 性別 from what the provider verified in this session; the fields are found by
their concept keys (``forms.concepts``). A locked field's value always comes from the provider:
whatever a browser posts for it is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from madoguchi.forms.definition import FormSpec
from madoguchi.forms.fields.base import FieldType
from madoguchi.identity.plugins import AssuranceLevel

_SPACE = re.compile(r"[\s\u3000]+")


def _name_value(field: FieldType, verified: Mapping[str, Any]) -> dict[str, str] | None:
    parts = _SPACE.split(str(verified.get("name", "")).strip(), maxsplit=1)
    if len(parts) != 2:
        return None  # a name the provider gives in one piece cannot fill family/given
    value = {"family": parts[0], "given": parts[1]}
    if field.spec.get("kana"):
        kana = _SPACE.split(str(verified.get("name_kana", "")).strip(), maxsplit=1)
        if len(kana) != 2:
            return None
        value.update(family_kana=kana[0], given_kana=kana[1])
    return value


def _address_value(verified: Mapping[str, Any]) -> dict[str, str] | None:
    parts = verified.get("address_parts") or {}
    if not all(parts.get(k) for k in ("postal_code", "region", "locality", "street_address")):
        return None
    return {"postal_code": re.sub(r"\D", "", parts["postal_code"]), "prefecture": parts["region"],
            "city": parts["locality"], "town": "", "street": parts["street_address"],
            "building": ""}


def _sex_value(field: FieldType, verified: Mapping[str, Any]) -> str | None:
    sex = verified.get("sex")
    values = {str(o.get("value")) for o in getattr(field, "options", [])}
    return sex if sex and sex in values else None


def locked_values(spec: FormSpec, verified: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{field key: value}`` for the identity fields of ``spec`` the provider verified.

    Empty unless the form needs a card-based sign-in and ``verified`` reaches that level. A
    field whose shape the provider's answer cannot fill (a one-piece name, an address without
    its parts) stays editable.
    """
    if spec.assurance != "high" or not meets(verified):
        return {}
    assert verified is not None
    values: dict[str, Any] = {}
    for field in _top_level_fields(spec):
        concept = field.spec.get("concept")
        value: Any = None
        if concept == "applicant.name" and field.type_name == "name":
            value = _name_value(field, verified)
        elif concept == "applicant.birth_date" and field.type_name == "date":
            value = verified.get("birth_date") or None
        elif concept == "applicant.address" and field.type_name == "address":
            value = _address_value(verified)
        elif concept == "applicant.sex" and field.type_name == "choice":
            value = _sex_value(field, verified)
        if value is not None:
            values[field.key] = value
    return values


def _top_level_fields(spec: FormSpec) -> list[FieldType]:
    """The value fields placed directly on a page (a field in a group is not locked)."""
    fields = []
    for page in spec.pages:
        keys = {f.key for f in page.value_fields}
        fields += [f for f in page.fields if f.key in keys]
    return fields


def meets(verified: Mapping[str, Any] | None) -> bool:
    """Whether the session's verified identity reaches the card-based level."""
    return bool(verified) and int((verified or {}).get("level", 0)) >= AssuranceLevel.HIGH


def record(verified: Mapping[str, Any], locked: Mapping[str, Any]) -> dict[str, Any]:
    """What the application keeps about the verification (no subject, no token)."""
    return {"provider": verified.get("provider", ""), "label": verified.get("label", ""),
            "label_en": verified.get("label_en", ""), "level": int(verified.get("level", 0)),
            "verified_at": verified.get("at", ""), "fields": sorted(locked)}
