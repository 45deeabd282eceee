"""Look-up keys of registry records: blind indexes, folded name keys and the 外字 test.

Everything a clerk can search by is sealed in the row; what stays in clear columns is a
**blind index**: HMAC-SHA256, under ``settings.REGISTRY_INDEX_KEY``, of the value's search key
with a field tag (``name:``, ``birth:`` ...). Equal keys give equal indexes, so look-up is an
indexed equality; without the key, an index cannot be turned back into a name or a date.
What this gives up: partial matching (a name is found by the whole name or the family name,
an address by the whole address or the part before its first number), and equal values are
visibly equal (who shares a birthday or a household shows in the table).
Names are never changed: the keys are computed from them, the name itself is sealed as written.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from django.conf import settings

from madoguchi.jp.names import kana_search_key, name_search_key
from madoguchi.jp.width import to_ascii


def blind_index(field: str, value: str) -> str:
    """HMAC-SHA256 (hex) of ``field:value`` under the registry index key; "" for no value."""
    return _blind_index(settings.REGISTRY_INDEX_KEY.encode(), field, value)


def _blind_index(key: bytes, field: str, value: str) -> str:
    if not value:
        return ""
    return hmac.digest(key, f"{field}:{value}".encode(), hashlib.sha256).hex()


def _family_part(text: str) -> str:
    """The part of a name before its first space (the family name), "" without a space."""
    parts = text.replace("\u3000", " ").split()
    return parts[0] if len(parts) > 1 else ""


# The indexes of names, furigana and addresses are cached (by the index key too, so a changed
# key is never served an old index): an import meets the same family names again and again
# and a household's members one after another, and the folding costs more than the look-up.
# Bounded, so an import's memory stays the same whatever the size of the file.
CACHED_VALUES = 1024


def name_indexes(name: str) -> tuple[str, str]:
    """Blind indexes of the whole name and of the family name (異体字 folded, no spaces)."""
    return _name_indexes(settings.REGISTRY_INDEX_KEY.encode(), name)


@lru_cache(maxsize=CACHED_VALUES)
def _name_indexes(key: bytes, name: str) -> tuple[str, str]:
    family = _family_part(name)
    return (_blind_index(key, "name", name_search_key(name)),
            _blind_index(key, "name", name_search_key(family)) if family else "")


def kana_indexes(kana: str) -> tuple[str, str]:
    """Blind indexes of the whole furigana and of the family part."""
    return _kana_indexes(settings.REGISTRY_INDEX_KEY.encode(), kana)


@lru_cache(maxsize=CACHED_VALUES)
def _kana_indexes(key: bytes, kana: str) -> tuple[str, str]:
    family = _family_part(kana)
    return (_blind_index(key, "kana", kana_search_key(kana)),
            _blind_index(key, "kana", kana_search_key(family)) if family else "")


_FIRST_NUMBER = re.compile(r"[0-9０-９]")


def address_key(address: str) -> str:
    """Search key of an address: width folded, no spaces, 異体字 folded (ヶ and ケ alike)."""
    folded = name_search_key(to_ascii(address)).replace("ヶ", "ケ").replace("ヵ", "ケ")
    return folded.replace("ｹ", "ケ")


def address_indexes(address: str) -> tuple[str, str]:
    """Blind indexes of the whole address and of its area (the text before the first block
    number: 緑ヶ丘市若葉町2丁目14番3号 → 緑ヶ丘市若葉町)."""
    return _address_indexes(settings.REGISTRY_INDEX_KEY.encode(), address)


@lru_cache(maxsize=CACHED_VALUES)
def _address_indexes(key: bytes, address: str) -> tuple[str, str]:
    match = _FIRST_NUMBER.search(address)
    area = address[: match.start()] if match else ""
    return (_blind_index(key, "address", address_key(address)),
            _blind_index(key, "address", address_key(area)) if area else "")


def code_index(resident_code: str) -> str:
    """Blind index of a 住民票コード (11 digits, width folded)."""
    return _code_index(settings.REGISTRY_INDEX_KEY.encode(), resident_code)


# Small: the file import asks for a code's index when it reads the row and again when it
# writes the person, one right after the other.
@lru_cache(maxsize=16)
def _code_index(key: bytes, resident_code: str) -> str:
    return _blind_index(key, "code", to_ascii(resident_code).strip())


def household_index(source: str, household_id: str) -> str:
    """Blind index of a household number within one connector's records."""
    return _household_index(settings.REGISTRY_INDEX_KEY.encode(), source, household_id)


# Small: an extract lists a household's members one after another.
@lru_cache(maxsize=16)
def _household_index(key: bytes, source: str, household_id: str) -> str:
    return _blind_index(key, f"household:{source}", household_id.strip())


def birth_index(iso_date: str) -> str:
    return blind_index("birth", iso_date)


def _is_private_use(cp: int) -> bool:
    return 0xE000 <= cp <= 0xF8FF or 0xF0000 <= cp <= 0x10FFFF


@lru_cache(maxsize=8192)
def is_gaiji_char(ch: str) -> bool:
    """A character outside JIS X 0208/0213 (the Shift_JIS-2004 repertoire) or in a Private
    Use Area: a 外字 the core system drew itself (髙, 𠮷, variation selectors, PUA)."""
    if ch.isascii():
        return False
    if _is_private_use(ord(ch)):
        return True
    try:
        ch.encode("shift_jis_2004")
    except UnicodeEncodeError:
        return True
    return False


def has_gaiji(*texts: str) -> bool:
    """Whether any of ``texts`` holds a 外字 (see :func:`is_gaiji_char`)."""
    return any(_text_has_gaiji(text) for text in texts)


@lru_cache(maxsize=CACHED_VALUES)
def _text_has_gaiji(text: str) -> bool:
    return any(is_gaiji_char(ch) for ch in text)
