"""The field-type registry: each type parses, validates, normalises, displays and masks a value.

A field type turns what the resident typed (``raw``, kept to re-display the form) into a clean,
JSON-serialisable ``value`` or raises :class:`FieldError` with a message for the resident.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized
from madoguchi.jp import kana as jp_kana
from madoguchi.jp import phone as jp_phone
from madoguchi.jp import postal as jp_postal
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp import width as jp_width
from madoguchi.jp.errors import JPValueError

MAX_INPUT_LENGTH = 2000


class FieldError(Exception):
    """A value the resident must correct; ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def jp_error(exc: JPValueError, english: str) -> FieldError:
    """Use the precise Japanese message of the jp helpers, or an English equivalent."""
    if (translation.get_language() or "ja").startswith("ja"):
        return FieldError(exc.message)
    return FieldError(english)


class FieldType:
    """Base class. Subclasses set ``type_name`` and ``template`` and override ``clean``."""

    type_name: ClassVar[str]
    template: ClassVar[str]
    has_value: ClassVar[bool] = True
    sensitive: ClassVar[bool] = False

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        """What is wrong with this type's own options in ``spec`` (translated, for the builder).

        The definition checker calls it after the common checks (key, type, label); a type
        overrides it to check its options, e.g. a choice needs options, min must not exceed max.
        """
        return []

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.key: str = spec["key"]
        self.required: bool = bool(spec.get("required", False))

    # --- labels -------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return localized(self.spec.get("label"))

    @property
    def hint(self) -> str:
        return localized(self.spec.get("hint"))

    @property
    def input_id(self) -> str:
        """The id of the first input, the target of the error summary's link."""
        return f"f-{self.key}"

    # --- values -------------------------------------------------------------------------
    def raw_from_post(self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> Any:
        """What the resident typed, as text, bounded in length (JSON-serialisable: drafts keep it).

        ``files`` holds the uploaded files of the request, for the types that take files.
        """
        value = data.get(self.key, "")
        return value[:MAX_INPUT_LENGTH] if isinstance(value, str) else ""

    def action(self, raw: Any, command: str) -> tuple[Any, Any]:
        """Handle a button of this field other than "continue" (``_action=<key>:<command>``).

        Returns the new raw value and feedback for the template (e.g. the address look-up's
        result, a row added to a group). Nothing is validated; the page is shown again.
        """
        return raw, None

    def is_empty(self, raw: Any) -> bool:
        return raw is None or (isinstance(raw, str) and not raw.strip())

    def validate(self, raw: Any) -> Any:
        """Return the clean value (``None`` when optional and empty) or raise FieldError."""
        if self.is_empty(raw):
            if self.required:
                raise FieldError(self.required_message())
            return None
        return self.clean(raw)

    def required_message(self) -> str:
        return _("Enter %(label)s.") % {"label": self.label}

    def clean(self, raw: Any) -> Any:
        return raw.strip()

    def raw_from_value(self, value: Any) -> Any:
        """What to put back into the inputs for a stored value (e.g. after a change link)."""
        return "" if value is None else str(value)

    def display(self, value: Any) -> str:
        """The value as the resident and staff read it."""
        return "" if value is None else str(value)

    def export(self, value: Any) -> str:
        return self.display(value)

    @property
    def is_sensitive(self) -> bool:
        """Sensitive values are encrypted at rest and masked for roles that may not see them."""
        return self.sensitive or bool(self.spec.get("sensitive"))

    def mask(self, value: Any) -> str:
        return "＊＊＊＊" if self.is_sensitive and value not in (None, "") else self.display(value)


class FieldRegistry:
    """Maps a definition's ``type`` to its field class."""

    def __init__(self) -> None:
        self._types: dict[str, type[FieldType]] = {}

    def register(self, cls: type[FieldType]) -> type[FieldType]:
        if cls.type_name in self._types:
            raise ValueError(f"field type {cls.type_name!r} registered twice")
        self._types[cls.type_name] = cls
        return cls

    def build(self, spec: Mapping[str, Any]) -> FieldType:
        try:
            cls = self._types[spec["type"]]
        except KeyError as exc:
            raise ValueError(f"unknown field type {spec.get('type')!r}") from exc
        return cls(spec)

    def __contains__(self, type_name: str) -> bool:
        return type_name in self._types

    @property
    def names(self) -> list[str]:
        return sorted(self._types)


registry = FieldRegistry()


@registry.register
class TextField(FieldType):
    """Single- or multi-line text with length limits and an optional pattern."""

    type_name = "text"
    template = "forms/fields/text.html"

    @property
    def multiline(self) -> bool:
        return bool(self.spec.get("multiline"))

    @property
    def max_length(self) -> int:
        return int(self.spec.get("max_length", 1000 if self.multiline else 100))

    def clean(self, raw: str) -> str:
        value = raw.strip().replace("\r\n", "\n")
        if "\x00" in value:
            raise FieldError(_("%(label)s contains characters that cannot be used.")
                             % {"label": self.label})
        min_length = int(self.spec.get("min_length", 0))
        if len(value) > self.max_length:
            raise FieldError(
                _("Enter %(label)s in %(max)d characters or fewer (now %(count)d).")
                % {"label": self.label, "max": self.max_length, "count": len(value)}
            )
        if len(value) < min_length:
            raise FieldError(
                _("Enter %(label)s in %(min)d characters or more.")
                % {"label": self.label, "min": min_length}
            )
        pattern = self.spec.get("pattern")
        if pattern:
            candidate = jp_width.to_ascii(value)
            if not re.fullmatch(pattern, candidate):
                raise FieldError(localized(self.spec.get("pattern_message"))
                                 or _("Check the format of %(label)s.") % {"label": self.label})
            return candidate
        return value


@registry.register
class EmailField(FieldType):
    type_name = "email"
    template = "forms/fields/text.html"

    def clean(self, raw: str) -> str:
        value = jp_width.to_ascii(raw).strip()
        try:
            validate_email(value)
        except ValidationError as exc:
            raise FieldError(
                _("Enter an e-mail address in the form name@example.jp.")
            ) from exc
        return value


@registry.register
class PhoneField(FieldType):
    type_name = "phone"
    template = "forms/fields/text.html"

    def clean(self, raw: str) -> str:
        try:
            return jp_phone.normalize_phone(raw)
        except JPValueError as exc:
            raise jp_error(
                exc, _("Enter a phone number with its area code, e.g. 090-1234-5678.")
            ) from exc

    def display(self, value: Any) -> str:
        return jp_phone.format_phone(value) if value else ""

    def raw_from_value(self, value: Any) -> str:
        return self.display(value)


@registry.register
class PostalCodeField(FieldType):
    type_name = "postal_code"
    template = "forms/fields/text.html"

    def clean(self, raw: str) -> str:
        try:
            return jp_postal.normalize_postal_code(raw)
        except JPValueError as exc:
            raise jp_error(exc, _("Enter the postal code as 7 digits, e.g. 123-4567.")) from exc

    def display(self, value: Any) -> str:
        return f"〒{jp_postal.format_postal_code(value)}" if value else ""

    def raw_from_value(self, value: Any) -> str:
        return jp_postal.format_postal_code(value) if value else ""


@registry.register
class NumberField(FieldType):
    """A whole number, e.g. an amount in yen; full-width digits and commas are accepted."""

    type_name = "number"
    template = "forms/fields/text.html"

    def clean(self, raw: str) -> int:
        text = jp_width.to_ascii(raw).replace(",", "").replace("円", "").strip()
        if not re.fullmatch(r"-?\d{1,12}", text):
            raise FieldError(_("Enter %(label)s as a number.") % {"label": self.label})
        number = int(text)
        low, high = self.spec.get("min"), self.spec.get("max")
        if low is not None and number < low:
            raise FieldError(_("Enter %(label)s of %(min)s or more.")
                             % {"label": self.label, "min": f"{low:,}"})
        if high is not None and number > high:
            raise FieldError(_("Enter %(label)s of %(max)s or less.")
                             % {"label": self.label, "max": f"{high:,}"})
        return number

    def display(self, value: Any) -> str:
        if value is None:
            return ""
        unit = localized(self.spec.get("unit"))
        return f"{value:,}{unit}" if unit else f"{value:,}"


@registry.register
class DateField(FieldType):
    """One box that accepts Western and Japanese-era dates; shown back in 和暦 with the year."""

    type_name = "date"
    template = "forms/fields/text.html"

    def clean(self, raw: str) -> str:
        try:
            value = jp_wareki.parse_date(raw)
            jp_wareki.era_for(value)  # shown back in 和暦: a date before 明治 cannot be
        except JPValueError as exc:
            raise jp_error(
                exc, _("Enter the date like 2026-11-23 or 令和8年11月23日 and check it exists.")
            ) from exc
        today = dt.date.today()
        if self.spec.get("past_only") and value > today:
            raise FieldError(_("%(label)s must be today or earlier.") % {"label": self.label})
        return value.isoformat()

    def display(self, value: Any) -> str:
        return display_date(dt.date.fromisoformat(value)) if value else ""

    def raw_from_value(self, value: Any) -> str:
        return jp_wareki.format_wareki(dt.date.fromisoformat(value)) if value else ""


@registry.register
class ChoiceField(FieldType):
    """One option from a list, shown as radio buttons (default) or a select box."""

    type_name = "choice"

    @property
    def template(self) -> str:  # type: ignore[override]
        if self.spec.get("widget") == "select":
            return "forms/fields/select.html"
        return "forms/fields/radio.html"

    @property
    def input_id(self) -> str:
        if self.spec.get("widget") == "select":
            return f"f-{self.key}"
        return f"f-{self.key}-0"

    @property
    def options(self) -> list[dict[str, Any]]:
        return list(self.spec.get("options", []))

    def required_message(self) -> str:
        return _("Choose %(label)s.") % {"label": self.label}

    def clean(self, raw: str) -> str:
        values = {str(o["value"]) for o in self.options}
        if raw not in values:
            raise FieldError(_("Choose %(label)s from the list.") % {"label": self.label})
        return raw

    def display(self, value: Any) -> str:
        for option in self.options:
            if str(option["value"]) == value:
                return localized(option["label"])
        return ""


@registry.register
class ConsentField(FieldType):
    """A single checkbox the resident must tick, e.g. consent to check records."""

    type_name = "consent"
    template = "forms/fields/consent.html"

    def required_message(self) -> str:
        return localized(self.spec.get("required_message")) or _(
            "Tick the box to agree before you continue."
        )

    def raw_from_post(self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> str:
        return "yes" if data.get(self.key) == "yes" else ""

    def clean(self, raw: str) -> bool:
        return True

    def raw_from_value(self, value: Any) -> str:
        return "yes" if value else ""

    def display(self, value: Any) -> str:
        return _("Agreed") if value else _("Not agreed")


@registry.register
class KanaField(FieldType):
    """Furigana: hiragana and half-width kana accepted, stored as full-width katakana."""

    type_name = "kana"
    template = "forms/fields/text.html"

    def clean(self, raw: str) -> str:
        value = jp_kana.normalize_furigana(jp_width.to_ascii(raw) if raw.isascii() else raw)
        if len(value) > int(self.spec.get("max_length", 50)):
            raise FieldError(_("%(label)s is too long.") % {"label": self.label})
        if not jp_kana.is_furigana(value):
            raise FieldError(_("Enter %(label)s in katakana or hiragana.")
                             % {"label": self.label})
        return value


class CompositeField(FieldType):
    """A field made of several inputs named ``<key>-<part>``; raw and clean values are dicts."""

    parts: tuple[str, ...] = ()
    part_max_length: ClassVar[int] = 100

    @property
    def input_id(self) -> str:
        return f"f-{self.key}-{self.parts[0]}"

    def raw_from_post(
        self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        raw = {}
        for part in self.parts:
            value = data.get(f"{self.key}-{part}", "")
            raw[part] = value[: self.part_max_length] if isinstance(value, str) else ""
        return raw

    def is_empty(self, raw: Any) -> bool:
        if not isinstance(raw, Mapping):
            return not raw or (isinstance(raw, str) and not raw.strip())
        return all(not str(v).strip() for v in raw.values())


@registry.register
class NameField(CompositeField):
    """Family and given name (and their furigana when ``kana`` is set).

    Names are stored exactly as typed: 髙, 﨑 and 𠮷 are never altered. Furigana is normalised
    to full-width katakana.
    """

    type_name = "name"
    template = "forms/fields/name.html"

    @property
    def with_kana(self) -> bool:
        return bool(self.spec.get("kana"))

    @property
    def parts(self) -> tuple[str, ...]:
        base = ("family", "given")
        return (*base, "family_kana", "given_kana") if self.with_kana else base

    def clean(self, raw: dict[str, str]) -> dict[str, str]:
        value = {part: re.sub(r"[ \u3000]+", " ", raw.get(part, "")).strip() for part in self.parts}
        messages = {
            "family": _("Enter the family name of %(label)s."),
            "given": _("Enter the given name of %(label)s."),
            "family_kana": _("Enter the family name of %(label)s in furigana."),
            "given_kana": _("Enter the given name of %(label)s in furigana."),
        }
        for part in self.parts:
            if not value[part]:
                raise FieldError(messages[part] % {"label": self.label})
            if len(value[part]) > 50 or any(ord(c) < 32 for c in value[part]):
                raise FieldError(_("Check %(label)s.") % {"label": self.label})
        for part in ("family_kana", "given_kana"):
            if part in value:
                value[part] = jp_kana.normalize_furigana(value[part])
                if not jp_kana.is_furigana(value[part]):
                    raise FieldError(
                        _("Enter the furigana of %(label)s in katakana or hiragana.")
                        % {"label": self.label}
                    )
        return value

    def raw_from_value(self, value: Any) -> dict[str, str]:
        return dict(value) if value else {}

    def display(self, value: Any) -> str:
        if not value:
            return ""
        text = f"{value['family']}　{value['given']}"
        if value.get("family_kana"):
            text += f"（{value['family_kana']}　{value['given_kana']}）"
        return text


@registry.register
class GuidanceField(FieldType):
    """Text shown to the resident on a page; holds no value."""

    type_name = "guidance"
    template = "forms/fields/guidance.html"
    has_value = False

    def validate(self, raw: Any) -> Any:
        return None
