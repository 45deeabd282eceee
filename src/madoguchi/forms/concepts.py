"""Concept keys: what a form field asks about, in words shared by every form.

A field's spec may carry ``"concept": "<key>"`` from :data:`CONCEPTS`. Two forms whose fields
name the same concept ask the same thing (the applicant's name, their phone number, the first
household member's date of birth), so the counter's interview asks it once and the answer fills
every form that asks for it, and a resident record fills it in advance.

A concept is meant for one field type (``type_name``): the answer of one form's field is the
answer of the other's, so both store the value in that type's shape. A form names a concept
at most once (checked with the definition).

The vocabulary is small on purpose; a key is stable once forms use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise, lazy

from madoguchi.core.i18n import localized

# How many household members (besides the applicant) have concept keys of their own, and how
# many children (household members whose relationship is "child", in the order given).
HOUSEHOLD_MEMBERS = 3
CHILDREN = 3
# A household member's relationship to the applicant and their sex, as choice values.
RELATIONSHIPS = ("spouse", "child", "parent", "other")
SEXES = ("female", "male")


@dataclass(frozen=True)
class Concept:
    """One concept: its key, the field type it is meant for and its label by language."""

    key: str
    type_name: str
    label: dict[str, str]

    @property
    def text(self) -> str:
        """The label in the active language."""
        return localized(self.label)


def _member_concepts() -> list[Concept]:
    concepts = []
    for number in range(1, HOUSEHOLD_MEMBERS + 1):
        concepts += [
            Concept(f"household.member.{number}.name", "name",
                    {"ja": f"世帯員{number}の氏名", "en": f"Household member {number}: name"}),
            Concept(f"household.member.{number}.birth_date", "date",
                    {"ja": f"世帯員{number}の生年月日",
                     "en": f"Household member {number}: date of birth"}),
            Concept(f"household.member.{number}.relationship", "choice",
                    {"ja": f"世帯員{number}の続柄（spouse, child, parent, other）",
                     "en": f"Household member {number}: relationship (spouse, child, parent, "
                           "other)"}),
            Concept(f"household.member.{number}.sex", "choice",
                    {"ja": f"世帯員{number}の性別（female, male）",
                     "en": f"Household member {number}: sex (female, male)"}),
        ]
    return concepts


def _child_concepts() -> list[Concept]:
    concepts = []
    for number in range(1, CHILDREN + 1):
        concepts += [
            Concept(f"child.{number}.name", "name",
                    {"ja": f"子ども{number}の氏名", "en": f"Child {number}: name"}),
            Concept(f"child.{number}.birth_date", "date",
                    {"ja": f"子ども{number}の生年月日", "en": f"Child {number}: date of birth"}),
            Concept(f"child.{number}.sex", "choice",
                    {"ja": f"子ども{number}の性別（female, male）",
                     "en": f"Child {number}: sex (female, male)"}),
        ]
    return concepts


# Concepts of a field inside a repeating group: row 1 is the first person of the kind, row 2
# the second ... (``child.name`` in row 2 is ``child.2.name``).
ROW_CONCEPTS: dict[str, Concept] = {c.key: c for c in [
    Concept("child.name", "name", {"ja": "各行：子どもの氏名", "en": "Each row: a child's name"}),
    Concept("child.birth_date", "date",
            {"ja": "各行：子どもの生年月日", "en": "Each row: a child's date of birth"}),
    Concept("child.sex", "choice",
            {"ja": "各行：子どもの性別（female, male）",
             "en": "Each row: a child's sex (female, male)"}),
    Concept("household.member.name", "name",
            {"ja": "各行：世帯員の氏名", "en": "Each row: a household member's name"}),
    Concept("household.member.birth_date", "date",
            {"ja": "各行：世帯員の生年月日", "en": "Each row: a household member's date of birth"}),
    Concept("household.member.relationship", "choice",
            {"ja": "各行：世帯員の続柄（spouse, child, parent, other）",
             "en": "Each row: a household member's relationship (spouse, child, parent, other)"}),
    Concept("household.member.sex", "choice",
            {"ja": "各行：世帯員の性別（female, male）",
             "en": "Each row: a household member's sex (female, male)"}),
]}


def row_concept_key(key: str, row: int) -> str:
    """The numbered concept a row concept means in row ``row`` (0-based):
    ``child.name``, 1 → ``child.2.name``."""
    head, _sep, tail = key.rpartition(".")
    return f"{head}.{row + 1}.{tail}"


def row_concept_of(spec: Mapping[str, Any]) -> Concept | None:
    """The row concept a sub-field spec of a group names, or ``None``."""
    key = spec.get("concept")
    return ROW_CONCEPTS.get(key) if isinstance(key, str) else None


CONCEPTS: dict[str, Concept] = {c.key: c for c in [
    Concept("applicant.name", "name", {"ja": "申請者の氏名", "en": "Applicant: name"}),
    Concept("applicant.furigana", "kana",
            {"ja": "申請者の氏名のフリガナ", "en": "Applicant: name in furigana"}),
    Concept("applicant.birth_date", "date",
            {"ja": "申請者の生年月日", "en": "Applicant: date of birth"}),
    Concept("applicant.sex", "choice", {"ja": "申請者の性別", "en": "Applicant: sex"}),
    Concept("applicant.address", "address",
            {"ja": "申請者の住所（郵便番号と住所）", "en": "Applicant: postal code and address"}),
    Concept("applicant.phone", "phone", {"ja": "申請者の電話番号", "en": "Applicant: phone"}),
    Concept("applicant.email", "email",
            {"ja": "申請者のメールアドレス", "en": "Applicant: e-mail address"}),
    Concept("applicant.my_number", "my_number",
            {"ja": "申請者の個人番号", "en": "Applicant: My Number"}),
    Concept("applicant.bank_account", "bank_account",
            {"ja": "申請者の振込先口座", "en": "Applicant: bank account for payments"}),
    Concept("spouse.name", "name", {"ja": "配偶者の氏名", "en": "Spouse: name"}),
    Concept("spouse.birth_date", "date",
            {"ja": "配偶者の生年月日", "en": "Spouse: date of birth"}),
    *_member_concepts(),
    *_child_concepts(),
]}

_lazy_localized = lazy(localized, str)


def concept_choices() -> tuple[tuple[str, str | Promise], ...]:
    """``(key, label)`` for a select box; the labels are read in the language shown. The row
    concepts come last: they are for the fields of a repeating group."""
    return tuple((c.key, _lazy_localized(c.label))
                 for c in [*CONCEPTS.values(), *ROW_CONCEPTS.values()])


def concept_of(spec: Mapping[str, Any]) -> Concept | None:
    """The concept a field spec names, or ``None`` (no concept, or one not in the vocabulary)."""
    key = spec.get("concept")
    return CONCEPTS.get(key) if isinstance(key, str) else None
