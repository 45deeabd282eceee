"""The field-type registry: each type parses, validates, normalises, displays and masks a value.

A field type turns what the resident typed (``raw``, kept to re-display the form) into a clean,
JSON-serialisable ``value`` or raises :class:`FieldError` with a message for the resident.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized
from madoguchi.core.plugins import PluginError, Registry
from madoguchi.jp import kana as jp_kana
from madoguchi.jp import phone as jp_phone
from madoguchi.jp import postal as jp_postal
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp import width as jp_width
from madoguchi.jp.errors import JPValueError

MAX_INPUT_LENGTH = 2000
# A date further ahead than this is a typo (3026 for 2026), and 和暦 could not show it back.
MAX_YEARS_AHEAD = 200
MAX_CHECKED = 100  # checkbox values read from one POST
DATE_BOUND = re.compile(r"([+-])(\d{1,4})([dmy])")


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


def spec_name(spec: Mapping[str, Any]) -> str:
    """How a spec problem names its field: 「label」(key), or (key) without a label."""
    label = str(localized(spec.get("label")) or "").strip()
    key = str(spec.get("key", ""))[:40]
    return f"「{label}」({key})" if label else f"({key})"


def whole_number(value: Any, minimum: int | None = None) -> bool:
    """Whether a spec option is an integer (not a bool) of at least ``minimum``."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    return ok and (minimum is None or value >= minimum)


def int_option(spec: Mapping[str, Any], name: str, default: int | None) -> int | None:
    """A whole-number option, or ``default`` when it is missing or unusable."""
    value = spec.get(name)
    return value if whole_number(value) else default


def resolve_date_bound(bound: Any, today: dt.date | None = None) -> dt.date | None:
    """A date option as a date: "2026-04-01", "today", or relative "+30d", "-6m", "-18y".

    Months and years keep the day of the month where it exists (31 March - 1m = 28/29 Feb).
    ``None`` when the option cannot be read.
    """
    if not isinstance(bound, str):
        return None
    text = bound.strip().lower()
    today = today or timezone.localdate()
    if text == "today":
        return today
    try:
        match = DATE_BOUND.fullmatch(text)
        if match:
            amount = int(match[2]) * (-1 if match[1] == "-" else 1)
            if match[3] == "d":
                return today + dt.timedelta(days=amount)
            return _add_months(today, amount * (12 if match[3] == "y" else 1))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except (ValueError, OverflowError):
        return None
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError("out of range")
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def join_list(items: Iterable[str]) -> str:
    """Items joined with the language's list separator (、 in Japanese)."""
    return pgettext("list separator", ", ").join(items)


def _show_date(day: dt.date) -> str:
    """A bound in 和暦 with the Western year (ISO for a date before 明治)."""
    try:
        return display_date(day)
    except (JPValueError, ValueError):
        return day.isoformat()


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

    def on_submit(self, application: Any, value: Any, *, answers: Mapping[str, Any],
                  user: Any) -> None:
        """Act on the clean ``value`` when the application is created (e.g. book a seat).

        Runs inside the transaction that creates ``application``; raise FieldError to refuse
        the submission (nothing is stored and the resident sees the message).
        """


class FieldRegistry(Registry[type[FieldType]]):
    """Maps a definition's ``type`` to its field class (a class is built once per spec)."""

    def check_plugin(self, plugin_id: str, plugin: type[FieldType]) -> None:
        if not (isinstance(plugin, type) and issubclass(plugin, FieldType)):
            raise PluginError(f"field type {plugin_id!r} must be a FieldType subclass")
        if getattr(plugin, "type_name", None) != plugin_id:
            raise PluginError(f"field type {plugin_id!r} is registered under another name than "
                              f"its type_name {getattr(plugin, 'type_name', None)!r}")

    def build(self, spec: Mapping[str, Any]) -> FieldType:
        try:
            cls = self[spec["type"]]
        except KeyError as exc:
            raise ValueError(f"unknown field type {spec.get('type')!r}") from exc
        return cls(spec)

    def type_of(self, type_name: str) -> type[FieldType]:
        """The class registered for ``type_name`` (KeyError when unknown)."""
        return self[type_name]

    @property
    def names(self) -> list[str]:
        return sorted(self.ids())


registry = FieldRegistry("field_types")


@registry.register("text")
class TextField(FieldType):
    """Single- or multi-line text with length limits and an optional pattern."""

    type_name = "text"
    template = "forms/fields/text.html"

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


@registry.register("number")
class NumberField(FieldType):
    """A whole number, e.g. an amount in yen; full-width digits and commas are accepted."""

    type_name = "number"
    template = "forms/fields/text.html"

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
        text = jp_width.to_ascii(raw) if isinstance(raw, str) else ""
        text = text.replace(",", "").replace("円", "").strip()
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


@registry.register("date")
class DateField(FieldType):
    """One box that accepts Western and Japanese-era dates; shown back in 和暦 with the year."""

    type_name = "date"
    template = "forms/fields/text.html"

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        name = {"field": spec_name(spec)}
        today = timezone.localdate()
        bounds: dict[str, dt.date | None] = {}
        messages = {
            "min": _("%(field)s: the earliest date “%(value)s” cannot be read. Write a date like "
                     "2026-04-01, or today, -18y, +30d."),
            "max": _("%(field)s: the latest date “%(value)s” cannot be read. Write a date like "
                     "2026-04-01, or today, -18y, +30d."),
        }
        for option, message in messages.items():
            bound = spec.get(option)
            if bound is None:
                continue
            bounds[option] = resolve_date_bound(bound, today)
            if bounds[option] is None:
                problems.append(message % {**name, "value": str(bound)[:40]})
        low, high = bounds.get("min"), bounds.get("max")
        if low is not None and high is not None and low > high:
            problems.append(_("%(field)s: the earliest date is after the latest date.") % name)
        if low is not None and spec.get("past_only") and low > today:
            problems.append(_("%(field)s: only dates up to today are allowed, but the earliest "
                              "date is in the future.") % name)
        return problems

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
        """The earliest and latest date allowed today (``None`` where there is no limit)."""
        today = today or timezone.localdate()
        return (resolve_date_bound(self.spec.get("min"), today),
                resolve_date_bound(self.spec.get("max"), today))

    def clean(self, raw: str) -> str:
        if not isinstance(raw, str):
            raise FieldError(_("Enter the date like 2026-11-23 or 令和8年11月23日 and check it "
                               "exists."))
        try:
            value = jp_wareki.parse_date(raw)
            jp_wareki.era_for(value)  # shown back in 和暦: a date before 明治 cannot be
        except JPValueError as exc:
            raise jp_error(
                exc, _("Enter the date like 2026-11-23 or 令和8年11月23日 and check it exists.")
            ) from exc
        today = timezone.localdate()
        if value.year > today.year + MAX_YEARS_AHEAD:
            raise FieldError(_("Check the year of %(label)s.") % {"label": self.label})
        if self.spec.get("past_only") and value > today:
            raise FieldError(_("%(label)s must be today or earlier.") % {"label": self.label})
        low, high = self.bounds(today)
        if (low is not None and value < low) or (high is not None and value > high):
            label = {"label": self.label}
            if low is not None and high is not None:
                raise FieldError(_("Enter %(label)s between %(min)s and %(max)s.")
                                 % {**label, "min": _show_date(low), "max": _show_date(high)})
            if low is not None:
                raise FieldError(_("Enter %(label)s on or after %(date)s.")
                                 % {**label, "date": _show_date(low)})
            raise FieldError(_("Enter %(label)s on or before %(date)s.")
                             % {**label, "date": _show_date(high)})
        return value.isoformat()

    def display(self, value: Any) -> str:
        return display_date(dt.date.fromisoformat(value)) if value else ""

    def raw_from_value(self, value: Any) -> str:
        if not value:
            return ""
        date = dt.date.fromisoformat(value)
        try:
            return jp_wareki.format_wareki(date)
        except JPValueError:
            return value  # a date 和暦 cannot write; the ISO form reads back the same


@registry.register("choice")
class ChoiceField(FieldType):
    """Options from a list: one as radio buttons (default) or a select box, or several as
    checkboxes (``"widget": "checkboxes"``, optional ``min_choices`` / ``max_choices``).

    A single choice's value is the option's value as text; checkboxes give a list of them in
    the order of the options.
    """

    type_name = "choice"
    widgets: ClassVar[tuple[str, ...]] = ("radio", "select", "checkboxes")

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        name = {"field": spec_name(spec)}
        options = spec.get("options")
        if not isinstance(options, list) or not options:
            problems.append(_("%(field)s needs at least one option.") % name)
            options = []
        seen: set[str] = set()
        for number, option in enumerate(options, start=1):
            value = option.get("value") if isinstance(option, Mapping) else None
            usable = isinstance(value, str | int) and not isinstance(value, bool)
            if not usable or not str(value).strip():
                problems.append(_("Option %(number)d of %(field)s needs a value.")
                                % {**name, "number": number})
                continue
            if str(value) in seen:
                problems.append(_("Two options of %(field)s have the value “%(value)s”. Give "
                                  "each option its own value.")
                                % {**name, "value": str(value)[:40]})
            seen.add(str(value))
            if not str(localized(option.get("label")) or "").strip():
                problems.append(_("Option %(number)d of %(field)s needs a label.")
                                % {**name, "number": number})
        widget = spec.get("widget")
        if widget is not None and widget not in cls.widgets:
            problems.append(_("%(field)s: show the options as radio buttons, a drop-down list "
                              "or checkboxes.") % name)
        low, high = spec.get("min_choices"), spec.get("max_choices")
        if (low is not None or high is not None) and widget != "checkboxes":
            problems.append(_("%(field)s: the fewest and most choices apply only to "
                              "checkboxes.") % name)
        if low is not None and not whole_number(low, 0):
            problems.append(_("%(field)s: the fewest choices must be a whole number of 0 or "
                              "more.") % name)
        if high is not None and not whole_number(high, 1):
            problems.append(_("%(field)s: the most choices must be a whole number of 1 or "
                              "more.") % name)
        count = len(options)
        if whole_number(low, 0) and whole_number(high, 1) and low > high:
            problems.append(_("%(field)s: the fewest choices (%(min)d) is more than the most "
                              "choices (%(max)d).") % {**name, "min": low, "max": high})
        for limit in (high, low):
            if whole_number(limit, 0) and count and limit > count:
                problems.append(_("%(field)s: %(limit)d choices are asked for, but there are "
                                  "only %(count)d options.")
                                % {**name, "limit": limit, "count": count})
                break
        return problems

    @property
    def widget(self) -> str:
        widget = self.spec.get("widget")
        return widget if widget in self.widgets else "radio"

    @property
    def multiple(self) -> bool:
        return self.widget == "checkboxes"

    @property
    def template(self) -> str:  # type: ignore[override]
        return f"forms/fields/{self.widget}.html"

    @property
    def input_id(self) -> str:
        if self.widget == "select":
            return f"f-{self.key}"
        return f"f-{self.key}-0"

    @property
    def options(self) -> list[dict[str, Any]]:
        options = self.spec.get("options")
        if not isinstance(options, list):
            return []
        return [o for o in options if isinstance(o, Mapping) and "value" in o]

    @property
    def min_choices(self) -> int:
        return int_option(self.spec, "min_choices", 0) or 0

    @property
    def max_choices(self) -> int | None:
        return int_option(self.spec, "max_choices", None)

    @property
    def choices_hint(self) -> str:
        """How many checkboxes may be ticked, when the form limits it."""
        low, high = self.min_choices, self.max_choices
        if low and high is not None:
            return _("Choose %(min)d to %(max)d.") % {"min": low, "max": high}
        if low:
            return _("Choose at least %(min)d.") % {"min": low}
        if high is not None:
            return _("Choose up to %(max)d.") % {"max": high}
        return ""

    def raw_from_post(self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> Any:
        if not self.multiple:
            return super().raw_from_post(data, files)
        getlist = getattr(data, "getlist", None)
        values = getlist(self.key) if callable(getlist) else data.get(self.key, [])
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list | tuple):
            return []
        return [v[:MAX_INPUT_LENGTH] for v in values[:MAX_CHECKED] if isinstance(v, str)]

    def is_empty(self, raw: Any) -> bool:
        if isinstance(raw, list | tuple):
            return not raw
        return super().is_empty(raw)

    def required_message(self) -> str:
        return _("Choose %(label)s.") % {"label": self.label}

    def clean(self, raw: Any) -> Any:
        values = [str(o["value"]) for o in self.options]
        if not self.multiple:
            if not isinstance(raw, str) or raw not in values:
                raise FieldError(_("Choose %(label)s from the list.") % {"label": self.label})
            return raw
        chosen = [raw] if isinstance(raw, str) else raw
        if not isinstance(chosen, list | tuple) or any(
            not isinstance(v, str) or v not in values for v in chosen
        ):
            raise FieldError(_("Choose %(label)s from the list.") % {"label": self.label})
        picked = set(chosen)
        ordered = [v for v in dict.fromkeys(values) if v in picked]
        low, high = self.min_choices, self.max_choices
        if len(ordered) < low:
            raise FieldError(
                ngettext("Choose at least %(min)d option for %(label)s.",
                         "Choose at least %(min)d options for %(label)s.", low)
                % {"label": self.label, "min": low}
            )
        if high is not None and len(ordered) > high:
            raise FieldError(
                ngettext("Choose at most %(max)d option for %(label)s.",
                         "Choose at most %(max)d options for %(label)s.", high)
                % {"label": self.label, "max": high}
            )
        return ordered

    def raw_from_value(self, value: Any) -> Any:
        if self.multiple:
            return [str(v) for v in value] if isinstance(value, list | tuple) else []
        return super().raw_from_value(value)

    def label_of(self, value: Any) -> str:
        for option in self.options:
            if str(option["value"]) == value:
                return localized(option.get("label"))
        return ""

    def display(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return join_list(label for label in map(self.label_of, value) if label)
        return self.label_of(value) if value is not None else ""


@registry.register("consent")
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


@registry.register("kana")
class KanaField(FieldType):
    """Furigana: hiragana and half-width kana accepted, stored as full-width katakana."""

    type_name = "kana"
    template = "forms/fields/text.html"
    default_max_length: ClassVar[int] = 50

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


@registry.register("name")
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


@registry.register("guidance")
class GuidanceField(FieldType):
    """Text shown to the resident on a page; holds no value."""

    type_name = "guidance"
    template = "forms/fields/guidance.html"
    has_value = False

    def validate(self, raw: Any) -> Any:
        return None
