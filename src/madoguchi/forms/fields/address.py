"""The postal code + address field: 〒, 都道府県, 市区町村, 町域, 丁目・番地・号 and building.

The postal code can fill the prefecture, city and town from Japan Post's data (offline, through
:mod:`madoguchi.jp.address`): with a "find the address" button that works without JavaScript (the
wizard re-renders the page), or with a script that asks ``/api/postal/<code>/``. Texts are stored
as typed, only stripped: an address is a name, and NFKC would change some of its characters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.jp import postal as jp_postal
from madoguchi.jp.address import AddressCandidate, lookup_postal_code
from madoguchi.jp.errors import JPValueError

from .base import MAX_INPUT_LENGTH, CompositeField, FieldError, jp_error, registry
from .options import PaletteEntry

PARTS = ("postal_code", "prefecture", "city", "town", "street", "building")
PLACE_PARTS = ("prefecture", "city", "town")
MAX_PART_LENGTH = 100


@dataclass
class LookupResult:
    """What the "find the address" button did: the message to show and any towns to choose."""

    message: str
    found: bool
    candidates: list[AddressCandidate] = field(default_factory=list)

    @property
    def choices(self) -> list[dict[str, Any]]:
        return [{"index": i, "text": " ".join(p for p in (c.prefecture, c.city, c.town) if p),
                 **asdict(c)} for i, c in enumerate(self.candidates)]


def _candidate_index(value: Any, count: int) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 4:
        index = int(value)
        return index if index < count else None
    return None


@registry.register("address")
class AddressField(CompositeField):
    """A Japanese address; the value is a dict of :data:`PARTS` (postal code as 7 digits)."""

    type_name = "address"
    template = "forms/fields/address.html"
    palette = (
        PaletteEntry("address", gettext_lazy("Postal code and address"),
                     {"label": {"ja": "住所", "en": "Address"}}, order=110, in_group=True),
    )
    parts = PARTS
    part_max_length = MAX_INPUT_LENGTH

    def raw_from_post(
        self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        raw = super().raw_from_post(data)
        # A town picked from the list the look-up offered fills only the boxes left empty.
        picked = data.get(f"{self.key}-candidate")
        if picked not in (None, "") and any(not raw[p].strip() for p in PLACE_PARTS):
            candidates = lookup_postal_code(raw["postal_code"])
            index = _candidate_index(picked, len(candidates))
            if index is not None:
                chosen = asdict(candidates[index])
                for part in PLACE_PARTS:
                    if not raw[part].strip():
                        raw[part] = chosen[part]
        return raw

    def clean(self, raw: Mapping[str, Any]) -> dict[str, str]:
        value = {part: str(raw.get(part, "")).strip() for part in PARTS}
        if not value["postal_code"]:
            raise FieldError(_("Enter the postal code."))
        try:
            value["postal_code"] = jp_postal.normalize_postal_code(value["postal_code"])
        except JPValueError as exc:
            raise jp_error(exc, _("Enter the postal code as 7 digits, e.g. 123-4567.")) from exc
        messages = {
            "prefecture": _("Enter the prefecture (都道府県)."),
            "city": _("Enter the city, ward, town or village (市区町村)."),
            "street": _("Enter the block number (丁目・番地・号)."),
        }
        for part in PARTS[1:]:
            if part in messages and not value[part]:
                raise FieldError(messages[part])
            if any(ord(c) < 32 or ord(c) == 127 for c in value[part]):
                raise FieldError(_("%(label)s contains characters that cannot be used.")
                                 % {"label": self.label})
            if len(value[part]) > MAX_PART_LENGTH:
                raise FieldError(
                    _("Enter each part of %(label)s in %(max)d characters or fewer.")
                    % {"label": self.label, "max": MAX_PART_LENGTH}
                )
        return value

    def raw_from_value(self, value: Any) -> dict[str, str]:
        if not value:
            return {}
        raw = {part: str(value.get(part, "")) for part in PARTS}
        # A stored code that cannot be formatted is shown as stored; validation then says why.
        with contextlib.suppress(JPValueError):
            raw["postal_code"] = jp_postal.format_postal_code(raw["postal_code"])
        return raw

    def display(self, value: Any) -> str:
        if not value:
            return ""
        place = "".join(value.get(p, "") for p in ("prefecture", "city", "town", "street"))
        text = f"〒{jp_postal.format_postal_code(value['postal_code'])} {place}"
        if value.get("building"):
            text += f"　{value['building']}"
        return text

    # --- the look-up ---------------------------------------------------------------------
    def action(self, raw: Any, command: str) -> tuple[Any, Any]:
        if command == "lookup":
            return self.lookup(raw if isinstance(raw, Mapping) else {})
        return raw, None

    def lookup(self, raw: Mapping[str, Any]) -> tuple[dict[str, str], LookupResult]:
        """Fill the prefecture, city and town from the postal code in ``raw``.

        Returns the new raw values (everything else as typed) and what to tell the resident.
        """
        new_raw = {part: str(raw.get(part, "")) for part in PARTS}
        try:
            jp_postal.normalize_postal_code(new_raw["postal_code"])
        except JPValueError:
            return new_raw, LookupResult(
                _("Enter the postal code as 7 digits, e.g. 123-4567."), found=False
            )
        candidates = lookup_postal_code(new_raw["postal_code"])
        if not candidates:
            return new_raw, LookupResult(
                _("No address was found for this postal code. Enter the address yourself."),
                found=False,
            )
        if len(candidates) == 1:
            new_raw.update({p: getattr(candidates[0], p) for p in PLACE_PARTS})
            return new_raw, LookupResult(
                _("The address has been filled in. Continue with the block number and so on."),
                found=True, candidates=[],
            )
        for part in PLACE_PARTS:
            values = {getattr(c, part) for c in candidates}
            new_raw[part] = values.pop() if len(values) == 1 else ""
        return new_raw, LookupResult(
            _("Several towns have this postal code. Choose yours from the list."),
            found=True, candidates=candidates,
        )
