"""Between :class:`ResidentRecord` and the stored :class:`Person`: the sealed payload, the
blind indexes of a record and the reading back."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from madoguchi.core import crypto

from . import keys
from .models import Person, person_context
from .plugins import DEATH_REASONS, MOVE_OUT_REASONS, ResidentRecord

HEAD_RELATIONSHIP = "世帯主"


def is_leaving(reason: str) -> bool:
    """Whether a 異動事由 means the person is no longer a resident (moved out or died)."""
    return reason in DEATH_REASONS or reason in MOVE_OUT_REASONS


def payload(record: ResidentRecord) -> dict[str, Any]:
    """What is sealed: every value of the record as written."""
    return {
        "name": record.name, "kana": record.kana,
        "birth_date": record.birth_date.isoformat() if record.birth_date else "",
        "sex": record.sex, "relationship": record.relationship,
        "address": record.address, "katagaki": record.katagaki,
        "resident_code": record.resident_code, "household_id": record.household_id,
        "moved_in_on": record.moved_in_on.isoformat() if record.moved_in_on else "",
        "reason": record.reason,
    }


def digest(values: dict[str, Any], active: bool) -> str:
    """A blind index of the whole record: equal digests mean nothing changed."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True)
    return keys.blind_index("digest", f"{int(active)}:{text}")


def indexed_fields(source: str, record: ResidentRecord) -> dict[str, Any]:
    """The clear columns of a person row (blind indexes and the 外字 flag)."""
    name, family_name = keys.name_indexes(record.name)
    kana, family_kana = keys.kana_indexes(record.kana)
    address, area = keys.address_indexes(record.address)
    return {
        "code_index": keys.code_index(record.resident_code),
        "household_index": keys.household_index(source, record.household_id),
        "name_index": name, "family_name_index": family_name,
        "kana_index": kana, "family_kana_index": family_kana,
        "birth_index": keys.birth_index(record.birth_date.isoformat())
        if record.birth_date else "",
        "address_index": address, "area_index": area,
        "has_gaiji": keys.has_gaiji(record.name, record.kana, record.address, record.katagaki),
    }


def seal(source: str, record: ResidentRecord, values: dict[str, Any]) -> str:
    return crypto.seal(values, context=person_context(source, record.record_id))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def to_record(person: Person) -> ResidentRecord:
    """The record of a stored person (unsealed)."""
    data = person.data()
    return ResidentRecord(
        record_id=person.record_id, name=data["name"], kana=data["kana"],
        birth_date=_date(data["birth_date"]), sex=data["sex"], address=data["address"],
        household_id=data["household_id"], relationship=data["relationship"],
        resident_code=data["resident_code"], active=person.active,
        changed_at=person.changed_at, katagaki=data["katagaki"],
        moved_in_on=_date(data["moved_in_on"]), reason=data["reason"],
        has_gaiji=person.has_gaiji,
    )


def household_order(record: ResidentRecord) -> tuple[int, str, str]:
    """Sort key of a household: the head first, then the eldest."""
    birth = record.birth_date.isoformat() if record.birth_date else "9999"
    return (0 if record.relationship == HEAD_RELATIONSHIP else 1, birth, record.record_id)
