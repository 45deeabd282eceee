"""The choice field (radio buttons, a drop-down list or checkboxes) and the consent checkbox."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from madoguchi.core.i18n import localized

from .base import (
    MAX_CHECKED,
    MAX_INPUT_LENGTH,
    FieldError,
    FieldType,
    int_option,
    join_list,
    registry,
    spec_name,
    whole_number,
)
from .options import FieldOption, OptionKind, PaletteEntry


@registry.register("choice")
class ChoiceField(FieldType):
    """Options from a list: one as radio buttons (default) or a select box, or several as
    checkboxes (``"widget": "checkboxes"``, optional ``min_choices`` / ``max_choices``).

    A single choice's value is the option's value as text; checkboxes give a list of them in
    the order of the options.
    """

    type_name = "choice"
    widgets: ClassVar[tuple[str, ...]] = ("radio", "select", "checkboxes")
    spec_options = (
        FieldOption("widget", OptionKind.TEXT, gettext_lazy("Shown as"), default="radio",
                    choices=(("radio", gettext_lazy("Radio buttons (one answer)")),
                             ("select", gettext_lazy("Drop-down list (one answer)")),
                             ("checkboxes", gettext_lazy("Checkboxes (several answers)")))),
        FieldOption("options", OptionKind.OPTIONS, gettext_lazy("Options, one per line"),
                    hint=gettext_lazy("Write “Japanese / English” on each line, e.g. 父 / "
                                      "Father."),
                    empty_message=gettext_lazy("Write at least one option.")),
        FieldOption("min_choices", OptionKind.COUNT, default=0, builder=False),
        FieldOption("max_choices", OptionKind.COUNT, builder=False),
    )
    palette = (
        PaletteEntry("choice", gettext_lazy("Choice (one, radio buttons)"),
                     {"label": {"ja": "選んでください", "en": "Choose one"},
                      "options": [{"value": "yes", "label": {"ja": "はい", "en": "Yes"}},
                                  {"value": "no", "label": {"ja": "いいえ", "en": "No"}}]},
                     order=50, in_group=True),
        PaletteEntry("checkboxes", gettext_lazy("Choice (several, checkboxes)"),
                     {"widget": "checkboxes",
                      "label": {"ja": "当てはまるものをすべて選んでください",
                                "en": "Choose all that apply"},
                      "options": [{"value": "a", "label": {"ja": "選択肢1", "en": "Option 1"}},
                                  {"value": "b", "label": {"ja": "選択肢2", "en": "Option 2"}}]},
                     order=60, match={"widget": "checkboxes"}),
        PaletteEntry("select", gettext_lazy("Choice (drop-down list)"),
                     {"widget": "select", "label": {"ja": "選んでください", "en": "Choose one"},
                      "options": [{"value": "yes", "label": {"ja": "はい", "en": "Yes"}},
                                  {"value": "no", "label": {"ja": "いいえ", "en": "No"}}]},
                     order=70, in_group=True, match={"widget": "select"}),
    )

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
    spec_options = (
        FieldOption("statement", OptionKind.TEXTS,
                    gettext_lazy("Text next to the checkbox (Japanese)"),
                    gettext_lazy("Text next to the checkbox (English)"),
                    hint=gettext_lazy("What the resident agrees to, e.g. "
                                      "記載内容に間違いはありません。"),
                    editor="textarea"),
        FieldOption("required_message", OptionKind.TEXTS, builder=False),
    )
    palette = (
        PaletteEntry("consent", gettext_lazy("Consent checkbox"),
                     {"label": {"ja": "確認", "en": "Confirmation"},
                      "statement": {"ja": "記載した内容に間違いはありません。",
                                    "en": "The answers I gave are correct."}},
                     order=140),
    )

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
