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
    if not value:
        return ""
    key = settings.REGISTRY_INDEX_KEY.encode()
    return hmac.digest(key, f"{field}:{value}".encode(), hashlib.sha256).hex()


def _family_part(text: str) -> str:
    """The part of a name before its first space (the family name), "" without a space."""
    parts = text.replace("\u3000", " ").split()
    return parts[0] if len(parts) > 1 else ""


def name_indexes(name: str) -> tuple[str, str]:
    """Blind indexes of the whole name and of the family name (異体字 folded, no spaces)."""
    family = _family_part(name)
    return (blind_index("name", name_search_key(name)),
            blind_index("name", name_search_key(family)) if family else "")


def kana_indexes(kana: str) -> tuple[str, str]:
    """Blind indexes of the whole furigana and of the family part."""
    family = _family_part(kana)
    return (blind_index("kana", kana_search_key(kana)),
            blind_index("kana", kana_search_key(family)) if family else "")


_FIRST_NUMBER = re.compile(r"[0-9０-９]")


def address_key(address: str) -> str:
    """Search key of an address: width folded, no spaces, 異体字 folded (ヶ and ケ alike)."""
    folded = name_search_key(to_ascii(address)).replace("ヶ", "ケ").replace("ヵ", "ケ")
    return folded.replace("ｹ", "ケ")


def address_indexes(address: str) -> tuple[str, str]:
    """Blind indexes of the whole address and of its area (the text before the first block
    number: 緑ヶ丘市若葉町2丁目14番3号 → 緑ヶ丘市若葉町)."""
    match = _FIRST_NUMBER.search(address)
    area = address[: match.start()] if match else ""
    return (blind_index("address", address_key(address)),
            blind_index("address", address_key(area)) if area else "")


def code_index(resident_code: str) -> str:
    """Blind index of a 住民票コード (11 digits, width folded)."""
    return blind_index("code", to_ascii(resident_code).strip())


def household_index(source: str, household_id: str) -> str:
    """Blind index of a household number within one connector's records."""
    return blind_index(f"household:{source}", household_id.strip())


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
    return any(is_gaiji_char(ch) for text in texts for ch in text)
