"""The one-input field types: text, e-mail, phone, postal code, number, furigana, name and
guidance."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.core.i18n import localized
from madoguchi.jp import kana as jp_kana
from madoguchi.jp import phone as jp_phone
from madoguchi.jp import postal as jp_postal
from madoguchi.jp import width as jp_width
from madoguchi.jp.errors import JPValueError

from .base import (
    MAX_INPUT_LENGTH,
    CompositeField,
    FieldError,
    FieldType,
    int_option,
    jp_error,
    registry,
    spec_name,
    whole_number,
)
from .options import FieldOption, OptionKind, PaletteEntry


@registry.register("text")
class TextField(FieldType):
    """Single- or multi-line text with length limits and an optional pattern."""

    type_name = "text"
    template = "forms/fields/text.html"
    spec_options = (
        FieldOption("multiline", OptionKind.FLAG, gettext_lazy("Several lines"), default=False),
        FieldOption("min_length", OptionKind.COUNT, gettext_lazy("Fewest characters")),
        FieldOption("max_length", OptionKind.COUNT, gettext_lazy("Most characters"),
                    minimum=1, maximum=MAX_INPUT_LENGTH,
                    limit_message=gettext_lazy("Most characters: enter 1 to %(max)d.")),
        FieldOption("sensitive", OptionKind.FLAG,
                    gettext_lazy("Sensitive: encrypt the answer and mask it"), default=False),
        FieldOption("pattern", OptionKind.TEXT, builder=False),
        FieldOption("pattern_message", OptionKind.TEXTS, builder=False),
    )
    palette = (
        PaletteEntry("text", gettext_lazy("Text (one line)"),
                     {"label": {"ja": "新しい項目", "en": "New field"}}, order=10, in_group=True),
        PaletteEntry("textarea", gettext_lazy("Text (several lines)"),
                     {"multiline": True, "label": {"ja": "新しい項目", "en": "New field"}},
                     order=20, match={"multiline": True}),
    )

    @property
    def multiline(self) -> bool:
        return bool(self.spec.get("multiline"))

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        name = {"field": spec_name(spec)}
        low, high = spec.get("min_length"), spec.get("max_length")
        if low is not None and not whole_number(low, 0):
            problems.append(_("%(field)s: the fewest characters must be a whole number of 0 or "
                              "more.") % name)
        if high is not None and not whole_number(high, 1):
            problems.append(_("%(field)s: the most characters must be a whole number of 1 or "
                              "more.") % name)
        if high is None:
            high = 1000 if spec.get("multiline") else 100
        if whole_number(low, 0) and whole_number(high, 1) and low > high:
            problems.append(
                _("%(field)s: the fewest characters (%(min)d) is more than the most characters "
                  "(%(max)d).") % {**name, "min": low, "max": high}
            )
        pattern = spec.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError, ValueError, OverflowError, RecursionError):
                problems.append(_("%(field)s: the pattern cannot be read as a regular "
                                  "expression. Check it.") % name)
        return problems

    @property
    def max_length(self) -> int:
        return int_option(self.spec, "max_length", 1000 if self.multiline else 100) or 0

    def clean(self, raw: str) -> str:
        if not isinstance(raw, str):
            raise FieldError(_("Check %(label)s.") % {"label": self.label})
        value = raw.strip().replace("\r\n", "\n")
        if "\x00" in value:
            raise FieldError(_("%(label)s contains characters that cannot be used.")
                             % {"label": self.label})
        min_length = int_option(self.spec, "min_length", 0) or 0
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
        if pattern and isinstance(pattern, str):
            candidate = jp_width.to_ascii(value)
            try:
                matched = re.fullmatch(pattern, candidate)
            except re.error:
                matched = True  # a broken pattern is the builder's problem (spec_problems)
            if not matched:
                raise FieldError(localized(self.spec.get("pattern_message"))
                                 or _("Check the format of %(label)s.") % {"label": self.label})
            return candidate
        return value


@registry.register("email")
class EmailField(FieldType):
    """An e-mail address; with ``"confirm": true`` typed twice (``<key>`` and ``<key>-confirm``).

    The value is the normalised address either way; the raw value is a dict
    ``{"email", "confirm"}`` only when confirming.
    """

    type_name = "email"
    spec_options = (
        FieldOption("confirm", OptionKind.FLAG, gettext_lazy("Ask to type it twice"),
                    default=False),
    )
    palette = (
        PaletteEntry("email", gettext_lazy("E-mail address"),
                     {"label": {"ja": "メールアドレス", "en": "E-mail address"}}, order=80,
                     in_group=True),
    )

    @property
    def confirm(self) -> bool:
        return bool(self.spec.get("confirm"))

    @property
    def template(self) -> str:  # type: ignore[override]
        return "forms/fields/email_confirm.html" if self.confirm else "forms/fields/text.html"

    def raw_from_post(self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> Any:
        if not self.confirm:
            return super().raw_from_post(data, files)
        typed = {"email": data.get(self.key, ""), "confirm": data.get(f"{self.key}-confirm", "")}
        return {k: v[:MAX_INPUT_LENGTH] if isinstance(v, str) else "" for k, v in typed.items()}

    def is_empty(self, raw: Any) -> bool:
        if isinstance(raw, Mapping):
            return all(not (isinstance(raw.get(k), str) and raw[k].strip())
                       for k in ("email", "confirm"))
        return super().is_empty(raw)

    def clean(self, raw: Any) -> str:
        typed = raw.get("email") if isinstance(raw, Mapping) else raw
        value = self._normalise(typed)
        if self.confirm:
            again = raw.get("confirm") if isinstance(raw, Mapping) else ""
            if not isinstance(again, str) or not again.strip():
                raise FieldError(_("Enter the e-mail address again in the second box to check "
                                   "it."))
            if jp_width.to_ascii(again).strip().casefold() != value.casefold():
                raise FieldError(_("The two e-mail addresses are different. Enter the same "
                                   "address in both boxes."))
        return value

    @staticmethod
    def _normalise(typed: Any) -> str:
        value = jp_width.to_ascii(typed).strip() if isinstance(typed, str) else ""
        try:
            validate_email(value)
        except ValidationError as exc:
            raise FieldError(
                _("Enter an e-mail address in the form name@example.jp.")
            ) from exc
        return value

    def raw_from_value(self, value: Any) -> Any:
        text = "" if value is None else str(value)
        return {"email": text, "confirm": text} if self.confirm else text


@registry.register("phone")
class PhoneField(FieldType):
    type_name = "phone"
    template = "forms/fields/text.html"
    palette = (
        PaletteEntry("phone", gettext_lazy("Phone number"),
                     {"label": {"ja": "電話番号", "en": "Phone number"}}, order=90, in_group=True),
    )

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


@registry.register("postal_code")
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


def normalize_number(text: str) -> str:
    """A whole number as typed, without its grouping: 1,234,567 (as in Japan), 1.234.567 (vi,
    pt-br), 1 234 567. In a language with a decimal comma, a comma that does not group three
    digits is left in place (so 1,5 is refused, not read as 15)."""
    text = text.replace("円", "").strip()
    grouping = formats.get_format("THOUSAND_SEPARATOR")
    for separator in dict.fromkeys((",", grouping, " ", "\u00a0", "\u202f")):
        if separator and re.fullmatch(rf"-?\d{{1,3}}(?:{re.escape(separator)}\d{{3}})+", text):
            return text.replace(separator, "")
    if formats.get_format("DECIMAL_SEPARATOR") != ",":
        text = text.replace(",", "")
    return text


@registry.register("number")
class NumberField(FieldType):
    """A whole number, e.g. an amount in yen; full-width digits and commas are accepted."""

    type_name = "number"
    template = "forms/fields/text.html"
    spec_options = (
        FieldOption("unit", OptionKind.TEXTS, gettext_lazy("Unit (e.g. 円, 人)"), maximum=10,
                    editor="shared"),
        FieldOption("min", OptionKind.NUMBER, gettext_lazy("Smallest number")),
        FieldOption("max", OptionKind.NUMBER, gettext_lazy("Largest number")),
    )
    palette = (
        PaletteEntry("number", gettext_lazy("Number"), {"label": {"ja": "数", "en": "Number"}},
                     order=30, in_group=True),
    )

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        name = {"field": spec_name(spec)}
        low, high = spec.get("min"), spec.get("max")
        if low is not None and not whole_number(low):
            problems.append(_("%(field)s: the smallest number must be a whole number.") % name)
        if high is not None and not whole_number(high):
            problems.append(_("%(field)s: the largest number must be a whole number.") % name)
        if whole_number(low) and whole_number(high) and low > high:
            problems.append(
                _("%(field)s: the smallest number (%(min)s) is larger than the largest number "
                  "(%(max)s).") % {**name, "min": f"{low:,}", "max": f"{high:,}"}
            )
        return problems

    def clean(self, raw: str) -> int:
        text = normalize_number(jp_width.to_ascii(raw) if isinstance(raw, str) else "")
        if not re.fullmatch(r"-?\d{1,12}", text):
            raise FieldError(_("Enter %(label)s as a number.") % {"label": self.label})
        number = int(text)
        low, high = int_option(self.spec, "min", None), int_option(self.spec, "max", None)
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

@registry.register("kana")
class KanaField(FieldType):
    """Furigana: hiragana and half-width kana accepted, stored as full-width katakana."""

    type_name = "kana"
    template = "forms/fields/text.html"
    default_max_length: ClassVar[int] = 50
    spec_options = (
        FieldOption("max_length", OptionKind.COUNT, default=default_max_length, minimum=1,
                    maximum=200, builder=False),
    )
    palette = (
        PaletteEntry("kana", gettext_lazy("Furigana"),
                     {"label": {"ja": "フリガナ", "en": "Furigana"}}, order=120, in_group=True),
    )

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        limit = spec.get("max_length", cls.default_max_length)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 200:
            return [_("%(field)s: the most characters must be a whole number from 1 to 200.")
                    % {"field": spec_name(spec)}]
        return []

    def clean(self, raw: str) -> str:
        value = jp_kana.normalize_furigana(jp_width.to_ascii(raw) if raw.isascii() else raw)
        if len(value) > int_option(self.spec, "max_length", self.default_max_length):
            raise FieldError(_("%(label)s is too long.") % {"label": self.label})
        if not jp_kana.is_furigana(value):
            raise FieldError(_("Enter %(label)s in katakana or hiragana.")
                             % {"label": self.label})
        return value

@registry.register("name")
class NameField(CompositeField):
    """Family and given name (and their furigana when ``kana`` is set).

    Names are stored exactly as typed: 髙, 﨑 and 𠮷 are never altered. Furigana is normalised
    to full-width katakana.
    """

    type_name = "name"
    template = "forms/fields/name.html"
    spec_options = (
        FieldOption("kana", OptionKind.FLAG, gettext_lazy("Ask for furigana too"),
                    default=False),
    )
    palette = (
        PaletteEntry("name", gettext_lazy("Name with furigana"),
                     {"kana": True, "label": {"ja": "氏名", "en": "Name"}}, order=100,
                     in_group=True),
    )

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


@registry.register("guidance")
class GuidanceField(FieldType):
    """Text shown to the resident on a page; holds no value."""

    type_name = "guidance"
    template = "forms/fields/guidance.html"
    has_value = False
    spec_options = (
        FieldOption("text", OptionKind.TEXTS, gettext_lazy("Guidance (Japanese)"),
                    gettext_lazy("Guidance (English)"), editor="textarea"),
    )
    palette = (
        PaletteEntry("guidance", gettext_lazy("Guidance text (no input)"),
                     {"label": {"ja": "ご案内", "en": "Guidance"},
                      "text": {"ja": "ここに説明を書きます。", "en": "Write the guidance here."}},
                     order=150),
    )

    def validate(self, raw: Any) -> Any:
        return None
