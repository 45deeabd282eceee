"""The resident of a visit as concept values (:mod:`madoguchi.forms.concepts`).

A registry record, or what the clerk typed for a new resident, becomes ``{concept key: value}``
with each value in the shape of the concept's field type, so it can prefill every form's
question about that concept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from madoguchi.forms.concepts import CHILDREN, HOUSEHOLD_MEMBERS
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.fields import registry
from madoguchi.forms.fields.group import GroupField
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


# The household members a clerk (or the resident, at home) types once: each one's answers fill
# every form's questions about them (household member, spouse, child rows).
MAX_TYPED_MEMBERS = 8
_RELATIONSHIP_OPTIONS = [
    {"value": "spouse", "label": {"ja": "配偶者", "en": "Spouse"}},
    {"value": "child", "label": {"ja": "子", "en": "Child"}},
    {"value": "parent", "label": {"ja": "父母", "en": "Parent"}},
    {"value": "other", "label": {"ja": "その他", "en": "Other"}},
]
HOUSEHOLD_SPEC: dict[str, Any] = {
    "key": "household", "type": "group", "min_rows": 0, "max_rows": MAX_TYPED_MEMBERS,
    "label": {"ja": "一緒に手続きする世帯員", "en": "Household members concerned"},
    "item_label": {"ja": "世帯員", "en": "Household member"},
    "fields": [
        {"key": "name", "type": "name", "kana": True, "required": True,
         "concept": "household.member.name", "label": {"ja": "氏名", "en": "Name"}},
        {"key": "birth_date", "type": "date", "past_only": True, "required": True,
         "concept": "household.member.birth_date",
         "label": {"ja": "生年月日", "en": "Date of birth"}},
        {"key": "sex", "type": "choice", "widget": "select", "concept": "household.member.sex",
         "label": {"ja": "性別", "en": "Sex"},
         "options": [{"value": "female", "label": {"ja": "女性", "en": "Female"}},
                     {"value": "male", "label": {"ja": "男性", "en": "Male"}}]},
        {"key": "relationship", "type": "choice", "widget": "select", "required": True,
         "concept": "household.member.relationship",
         "label": {"ja": "申請者との続柄", "en": "Relationship to the applicant"},
         "options": _RELATIONSHIP_OPTIONS},
    ],
}


def household_field() -> GroupField:
    """The repeating group of household members typed once (built fresh: fields keep state)."""
    field = registry.build(HOUSEHOLD_SPEC)
    assert isinstance(field, GroupField)
    return field


# The registry's 続柄 is relative to the householder (世帯主); what a member is to the applicant
# follows from both. Anything else is "other".
_HEAD = "世帯主"


def _kind(relationship: str) -> str:
    text = relationship.strip()
    if text == _HEAD:
        return "head"
    if text in ("妻", "夫", "配偶者") or "妻" in text:
        return "spouse"
    if text == "子" or text.endswith(("男", "女")) or text in ("養子", "養女"):
        return "child"
    if text in ("父", "母", "父母"):
        return "parent"
    return "other"


def relation_to_applicant(applicant: str, member: str) -> str:
    """What a household member is to the applicant (spouse, child, parent or other), from both
    one's 続柄 to the householder as the registry writes it (世帯主, 妻, 子, 長男 ...)."""
    mine, theirs = _kind(applicant), _kind(member)
    if mine == "head":
        return theirs if theirs in ("spouse", "child", "parent") else "other"
    if mine == "spouse":
        return {"head": "spouse", "child": "child"}.get(theirs, "other")
    if mine == "child":
        return "parent" if theirs in ("head", "spouse") else "other"
    return "other"


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


def member_summary(record: ResidentRecord, applicant: ResidentRecord | None = None
                   ) -> dict[str, str]:
    """What the visit keeps of a household member: what prefills their questions (``relation``
    is what they are to the applicant, when the applicant's record is given)."""
    return {"record_id": record.record_id, "name": record.name, "kana": record.kana,
            "birth_date": record.birth_date.isoformat() if record.birth_date else "",
            "relationship": record.relationship, "sex": SEXES.get(record.sex, ""),
            "relation": relation_to_applicant(applicant.relationship, record.relationship)
            if applicant is not None else ""}


def typed_members(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Household members from the typed group's clean rows, in the shape of
    :func:`member_summary` (the name kept as typed, in ``value``)."""
    members = []
    for number, row in enumerate(rows, start=1):
        name = row.get("name") or {}
        members.append({
            "record_id": f"typed-{number}",
            "name": f"{name.get('family', '')} {name.get('given', '')}".strip(),
            "kana": f"{name.get('family_kana', '')} {name.get('given_kana', '')}".strip(),
            "birth_date": row.get("birth_date") or "", "relationship": "",
            "relation": row.get("relationship") or "other", "sex": row.get("sex") or "",
            "value": dict(name)})
    return members


def _member_name(member: dict[str, Any]) -> dict[str, str]:
    value = member.get("value")
    return dict(value) if isinstance(value, dict) else name_value(member["name"], member["kana"])


def member_values(members: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Concept values of the household members concerned, numbered in the order given, and
    the spouse's and children's (:func:`derive`)."""
    values: dict[str, Any] = {}
    for number, member in enumerate(members[:HOUSEHOLD_MEMBERS], start=1):
        prefix = f"household.member.{number}"
        values[f"{prefix}.name"] = _member_name(member)
        if member.get("birth_date"):
            values[f"{prefix}.birth_date"] = member["birth_date"]
        if member.get("relation"):
            values[f"{prefix}.relationship"] = member["relation"]
        if member.get("sex"):
            values[f"{prefix}.sex"] = member["sex"]
    children = [m for m in members if m.get("relation") == "child"]
    for number, member in enumerate(children[:CHILDREN], start=1):
        values[f"child.{number}.name"] = _member_name(member)
        if member.get("birth_date"):
            values[f"child.{number}.birth_date"] = member["birth_date"]
        if member.get("sex"):
            values[f"child.{number}.sex"] = member["sex"]
    spouse = next((m for m in members if m.get("relation") == "spouse"), None)
    if spouse is not None:
        values["spouse.name"] = _member_name(spouse)
        if spouse.get("birth_date"):
            values["spouse.birth_date"] = spouse["birth_date"]
    return values


def derive(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the spouse's and children's concepts filled from the numbered household
    members whose relationship is known (as a pre-application answers them), where missing."""
    members = []
    for number in range(1, HOUSEHOLD_MEMBERS + 1):
        prefix = f"household.member.{number}"
        if not isinstance(values.get(f"{prefix}.name"), dict):
            continue
        members.append({"value": values[f"{prefix}.name"],
                        "birth_date": values.get(f"{prefix}.birth_date") or "",
                        "relation": values.get(f"{prefix}.relationship") or "",
                        "sex": values.get(f"{prefix}.sex") or ""})
    derived = {k: v for k, v in member_values(members).items()
               if not k.startswith("household.member.")}
    return {**derived, **values}


def from_typed(answers: dict[str, Any]) -> dict[str, Any]:
    """Concept values of the new-resident form's clean answers."""
    values = {concept_of_key(k): v for k, v in answers.items() if v not in (None, "")}
    name = values.get("applicant.name")
    if isinstance(name, dict) and name.get("family_kana"):
        values["applicant.furigana"] = f"{name['family_kana']}{name.get('given_kana', '')}"
    return values
