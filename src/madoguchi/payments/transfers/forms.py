"""What treasury staff and clerks type on the transfer pages: an amount in yen, a payment day."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from madoguchi.jp import wareki
from madoguchi.jp.errors import JPValueError
from madoguchi.jp.width import to_ascii

MAX_CASES = 5000  # cases one file may take from one form
_AMOUNT = re.compile(r"[0-9]{1,10}")
_NOISE = re.compile(r"[\s,，、円¥￥]")


def parse_amount(value: Any) -> int | None:
    """Whole yen as typed: "30000", "30,000", "３０，０００円", "¥30,000"; ``None`` otherwise."""
    if not isinstance(value, str):
        return None
    text = _NOISE.sub("", to_ascii(value.replace("\x00", "")[:40]))
    if not _AMOUNT.fullmatch(text):
        return None
    return int(text)


def parse_day(value: Any) -> dt.date | None:
    """A day typed in 西暦 or 和暦 (the date input's 2026-12-09 included); ``None`` otherwise."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return wareki.parse_date(value.replace("\x00", "")[:30])
    except JPValueError:
        return None


def parse_cases(values: list[str]) -> list[uuid.UUID]:
    """The chosen cases' ids; anything that is not an id is left out."""
    out = []
    for value in values[:MAX_CASES]:
        try:
            out.append(uuid.UUID(str(value)[:40]))
        except ValueError:
            continue
    return out
