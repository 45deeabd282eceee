"""Banks and branches from the offline Zengin code list (the ``zengin-code`` package).

A resident may type a bank as its 4-digit code or its name, with or without 銀行/信用金庫, in kanji,
hiragana, katakana or half-width kana; branches as a 3-digit code or a name, with or without 支店.
No Django here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TypeVar

from zengin_code import Bank, Branch

from .kana import hira_to_kata, to_zengin_kana
from .width import to_ascii

_Found = TypeVar("_Found")  # a Bank or a Branch

__all__ = ["Bank", "Branch", "bank_full_name", "find_bank", "find_branch"]

# Long suffixes a resident types → the short forms the Zengin list uses in its names.
_NAME_SUFFIXES = (
    ("信用金庫", "信金"),
    ("信用組合", "信組"),
    ("労働金庫", "労金"),
    ("農業協同組合", "農協"),
    ("漁業協同組合", "漁協"),
)
_KANA_SUFFIXES = (
    ("シンヨウキンコ", "シンキン"),
    ("シンヨウクミアイ", "シンクミ"),
    ("ロウドウキンコ", "ロウキン"),
    ("ノウギヨウキヨウドウクミアイ", "ノウキヨウ"),
    ("ギヨギヨウキヨウドウクミアイ", "ギヨキヨウ"),
)
_LONG_VOWELS = re.compile("[ー－ｰ‐―−-]")
_SPACES = re.compile(r"[\s\u3000]+")


def bank_full_name(bank: Bank) -> str:
    """The name as residents write it: みずほ → みずほ銀行, 北海道信金 → 北海道信用金庫."""
    for long, short in _NAME_SUFFIXES:
        if bank.name.endswith(short):
            return str(bank.name[: -len(short)] + long)
    is_bank = bank.code < "1000" or bank.code == "9900"
    if is_bank and bank.code != "0200" and "バンク" not in bank.name:
        return f"{bank.name}銀行"
    return str(bank.name)


def _name_key(text: str) -> str:
    """A search key for a name in kanji or Latin letters (never stored, so NFKC is fine)."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()
    for long, short in _NAME_SUFFIXES:
        if key.endswith(long):
            key = key[: -len(long)] + short
    return key


def _kana_key(text: str) -> str:
    """A search key for a name typed in kana: Zengin katakana, one long-vowel mark, no spaces."""
    key = to_zengin_kana(hira_to_kata(text))
    key = _SPACES.sub("", _LONG_VOWELS.sub("ー", key))
    for long, short in _KANA_SUFFIXES:
        if key.endswith(long):
            key = key[: -len(long)] + short
    return key


def _digits(text: str) -> str:
    return _SPACES.sub("", to_ascii(text))


def _unique(matches: list[_Found]) -> _Found | None:
    """The one distinct match, or None when there is none or several."""
    distinct = {id(m): m for m in matches}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


@cache
def _bank_index() -> dict[str, list[Bank]]:
    index: dict[str, list[Bank]] = {}
    for bank in Bank.all.values():
        for key in {_name_key(bank.name), _name_key(bank_full_name(bank)), _kana_key(bank.kana)}:
            index.setdefault(key, []).append(bank)
    return index


def find_bank(code_or_name: str) -> Bank | None:
    """The bank with this 4-digit code or name, or None (also when a name is ambiguous)."""
    if not isinstance(code_or_name, str) or not code_or_name.strip():
        return None
    digits = _digits(code_or_name)
    if digits.isascii() and digits.isdigit():
        return Bank.all.get(digits) if len(digits) == 4 else None
    index = _bank_index()
    for key in (_name_key(code_or_name), _kana_key(code_or_name)):
        candidates = [key]
        if key.endswith("銀行"):
            candidates.append(key[:-2])
        if key.endswith("ギンコウ"):
            candidates.append(key[:-4])
        for candidate in candidates:
            found = _unique(index.get(candidate, []))
            if found is not None:
                return found
    return None


def _branch_keys(name: str) -> set[str]:
    key = _name_key(name)
    keys = {key}
    for suffix in ("支店", "出張所"):
        if key.endswith(suffix) and len(key) > len(suffix):
            keys.add(key[: -len(suffix)])
    return keys


def find_branch(bank: Bank, code_or_name: str) -> Branch | None:
    """The branch of ``bank`` with this 3-digit code or name, or None (also when ambiguous)."""
    if bank is None or not isinstance(code_or_name, str) or not code_or_name.strip():
        return None
    digits = _digits(code_or_name)
    if digits.isascii() and digits.isdigit():
        return bank.branches.get(digits) if len(digits) == 3 else None
    typed = _branch_keys(code_or_name)
    by_name = [b for b in bank.branches.values() if typed & _branch_keys(b.name)]
    found = _unique(by_name)
    if found is not None:
        return found
    kana = _kana_key(code_or_name)
    kana_candidates = {kana}
    if kana.endswith("シテン") and len(kana) > 3:
        kana_candidates.add(kana[:-3])
    by_kana = [b for b in bank.branches.values() if _kana_key(b.kana) in kana_candidates]
    return _unique(by_kana)
