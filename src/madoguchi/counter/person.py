"""The resident of a visit as concept values (:mod:`madoguchi.forms.concepts`).

A registry record, or what the clerk typed for a new resident, becomes ``{concept key: value}``
with each value in the shape of the concept's field type, so it can prefill every form's
question about that concept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from madoguchi.forms.concepts import HOUSEHOLD_MEMBERS
from madoguchi.forms.definition import FormSpec
from madoguchi.registry.plugins import ResidentRecord

# A registry's 性別 as written in extracts (男, 女, 1, 2) → the library forms' choice values.
SEXES = {"男": "male", "1": "male", "male": "male", "女": "female", "2": "female",
         "female": "female"}
_ADDRESS = re.compile(r"^(?P<prefecture>.{2,3}?[都道府県])?(?P<city>.+?[市区町村])?(?P<rest>.*)$")
_SPACE = re.compile(r"[ \u3000]+")

# The clerk types a new resident (転入 from another city) once, validated by the field types.
NEW_RESIDENT = FormSpec({
    "title": {"ja": "新しい住民", "en": "New resident"},
    "pages": [{"key": "person", "title": {"ja": "本人", "en": "The resident"}, "fields": [
        {"key": "applicant_name", "type": "name", "kana": True, "required": True,
         "label": {"ja": "氏名", "en": "Name"}},
        {"key": "applicant_birth_date", "type": "date", "past_only": True, "required": True,
         "label": {"ja": "生年月日", "en": "Date of birth"}},
        {"key": "applicant_sex", "type": "choice", "widget": "radio",
         "label": {"ja": "性別", "en": "Sex"},
         "options": [{"value": "female", "label": {"ja": "女性", "en": "Female"}},
                     {"value": "male", "label": {"ja": "男性", "en": "Male"}}]},
        {"key": "applicant_address", "type": "address", "required": True,
         "label": {"ja": "新しい住所", "en": "New address"}},
        {"key": "applicant_phone", "type": "phone", "label": {"ja": "電話番号", "en": "Phone"}},
    ]}],
})


def concept_of_key(key: str) -> str:
    """``applicant_birth_date`` → ``applicant.birth_date`` (the typed form's keys)."""
    head, _sep, rest = key.partition("_")
    return f"{head}.{rest}"


def _split(text: str) -> tuple[str, str]:
    family, _sep, given = _SPACE.sub(" ", text.strip()).partition(" ")
    return family, given


def name_value(name: str, kana: str) -> dict[str, str]:
    """A name field's value from the registry's 氏名 and フリガナ (family and given split at
    the first space; written exactly as the registry has it)."""
    family, given = _split(name)
    value = {"family": family, "given": given}
    if kana:
        family_kana, given_kana = _split(kana)
        value.update(family_kana=family_kana, given_kana=given_kana)
    return value


def address_value(address: str) -> dict[str, str]:
    """An address field's raw parts from the registry's one-line 住所 (prefecture and city
    split off when written; the postal code is for the clerk to add)."""
    match = _ADDRESS.match(address.strip())
    parts = match.groupdict(default="") if match else {"rest": address}
    return {"postal_code": "", "prefecture": parts.get("prefecture", ""),
            "city": parts.get("city", ""), "town": "", "street": parts.get("rest", ""),
            "building": ""}


def from_record(record: ResidentRecord) -> dict[str, Any]:
    """Concept values of a registry record."""
    values: dict[str, Any] = {
        "applicant.name": name_value(record.name, record.kana),
        "applicant.furigana": _SPACE.sub("", record.kana),
        "applicant.address": address_value(record.address),
    }
    if record.birth_date is not None:
        values["applicant.birth_date"] = record.birth_date.isoformat()
    if record.sex in SEXES:
        values["applicant.sex"] = SEXES[record.sex]
    return values


def member_summary(record: ResidentRecord) -> dict[str, str]:
    """What the visit keeps of a household member: what prefills their questions."""
    return {"record_id": record.record_id, "name": record.name, "kana": record.kana,
            "birth_date": record.birth_date.isoformat() if record.birth_date else "",
            "relationship": record.relationship}


def member_values(members: Sequence[dict[str, str]]) -> dict[str, Any]:
    """Concept values of the household members concerned, numbered in the order given."""
    values: dict[str, Any] = {}
    for number, member in enumerate(members[:HOUSEHOLD_MEMBERS], start=1):
        values[f"household.member.{number}.name"] = name_value(member["name"], member["kana"])
        if member["birth_date"]:
            values[f"household.member.{number}.birth_date"] = member["birth_date"]
    return values


def from_typed(answers: dict[str, Any]) -> dict[str, Any]:
    """Concept values of the new-resident form's clean answers."""
    values = {concept_of_key(k): v for k, v in answers.items() if v not in (None, "")}
    name = values.get("applicant.name")
    if isinstance(name, dict) and name.get("family_kana"):
        values["applicant.furigana"] = f"{name['family_kana']}{name.get('given_kana', '')}"
    return values
