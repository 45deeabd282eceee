"""A repeating group of fields, e.g. name, date of birth and school for each child.

Each row's sub-fields are built through the registry under the key ``<key>-<row>-<subkey>``, so
their templates and ``raw_from_post`` work unchanged (a composite's parts follow as
``-<part>``). A hidden ``<key>-rows`` input carries the number of rows shown. The buttons use
the wizard's action protocol and work without JavaScript: ``_action=<key>:add`` adds an empty
row, ``_action=<key>:remove-<row>`` removes one; everything typed is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from madoguchi.core.i18n import localized

from .base import FieldError, FieldType, int_option, registry, spec_name, whole_number
from .options import FieldOption, OptionKind, PaletteEntry

EXCLUDED_TYPES = frozenset({"group", "file", "guidance"})
MAX_ROWS_LIMIT = 50
SUB_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
COUNTERS = ("person", "item")
MAX_POSTED_NAMES = 5000  # POST names looked at to count rows when <key>-rows is unusable


def usable_subspecs(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The sub-field specs a group can build (the others are reported by spec_problems)."""
    fields = spec.get("fields")
    usable: list[Mapping[str, Any]] = []
    seen: set[str] = set()
    for sub in fields if isinstance(fields, list) else []:
        if not isinstance(sub, Mapping):
            continue
        key, type_name = sub.get("key"), sub.get("type")
        if (isinstance(key, str) and SUB_KEY.fullmatch(key) and key not in seen
                and isinstance(type_name, str) and type_name in registry
                and type_name not in EXCLUDED_TYPES and registry.type_of(type_name).has_value):
            usable.append(sub)
            seen.add(key)
    return usable


@registry.register("group")
class GroupField(FieldType):
    """Rows of sub-fields; the value is a list of dicts ``{subkey: clean value}``.

    Spec: ``item_label`` ({"ja", "en"}: what one row is, e.g. お子さん / Child; default the
    label), ``min_rows`` (default 1), ``max_rows`` (default 10, at most 50), ``fields`` (sub-field
    specs of any type but group, file and guidance), ``counter`` ("person", the default: 1人目,
    or "item": 1件目).
    """

    type_name = "group"
    template = "forms/fields/group.html"
    spec_options = (
        FieldOption("item_label", OptionKind.TEXTS,
                    gettext_lazy("What one row is (Japanese, e.g. お子さん)"),
                    gettext_lazy("What one row is (English, e.g. Child)")),
        FieldOption("min_rows", OptionKind.COUNT, gettext_lazy("Fewest rows"), default=1),
        FieldOption("max_rows", OptionKind.COUNT, gettext_lazy("Most rows"), default=10),
        FieldOption("fields", OptionKind.FIELDS, gettext_lazy("Questions asked for each row"),
                    empty_message=gettext_lazy("A repeating group needs at least one question "
                                               "for each row.")),
        FieldOption("counter", OptionKind.TEXT, default="person", builder=False,
                    choices=(("person", "person"), ("item", "item"))),
    )
    palette = (
        PaletteEntry("group", gettext_lazy("Repeating group (e.g. each child)"),
                     {"label": {"ja": "お子さん", "en": "Children"},
                      "item_label": {"ja": "お子さん", "en": "Child"}, "min_rows": 1,
                      "max_rows": 5,
                      "fields": [
                          {"key": "name", "type": "name", "kana": True,
                           "label": {"ja": "氏名", "en": "Name"}, "required": True},
                          {"key": "birth_date", "type": "date", "past_only": True,
                           "label": {"ja": "生年月日", "en": "Date of birth"}, "required": True},
                      ]},
                     order=180),
    )
    row_commands: ClassVar[re.Pattern[str]] = re.compile(r"remove-(\d{1,3})")
    sub_commands: ClassVar[re.Pattern[str]] = re.compile(r"(\d{1,3})-([a-z][a-z0-9_]{0,39}):(.+)")

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        name = {"field": spec_name(spec)}
        low, high = spec.get("min_rows"), spec.get("max_rows")
        if low is not None and not (whole_number(low, 0) and low <= MAX_ROWS_LIMIT):
            problems.append(_("%(field)s: the fewest rows must be a whole number from 0 to "
                              "%(max)d.") % {**name, "max": MAX_ROWS_LIMIT})
        if high is not None and not (whole_number(high, 1) and high <= MAX_ROWS_LIMIT):
            problems.append(_("%(field)s: the most rows must be a whole number from 1 to "
                              "%(max)d.") % {**name, "max": MAX_ROWS_LIMIT})
        low = low if low is not None else 1
        high = high if high is not None else 10
        if whole_number(low) and whole_number(high) and low > high:
            problems.append(_("%(field)s: the fewest rows (%(min)d) is more than the most rows "
                              "(%(max)d).") % {**name, "min": low, "max": high})
        if spec.get("counter", "person") not in COUNTERS:
            problems.append(_("%(field)s: count the rows as people (“person”) or things "
                              "(“item”).") % name)
        fields = spec.get("fields")
        if not isinstance(fields, list) or not fields:
            problems.append(_("%(field)s needs at least one field in each row.") % name)
            return problems
        seen: set[str] = set()
        for number, sub in enumerate(fields, start=1):
            problems.extend(cls._sub_problems(sub, number, name["field"], seen))
        return problems

    @staticmethod
    def _sub_problems(sub: Any, number: int, group: str, seen: set[str]) -> list[str]:
        params = {"field": group, "number": number}
        key = sub.get("key") if isinstance(sub, Mapping) else None
        if not isinstance(key, str) or not SUB_KEY.fullmatch(key):
            return [_("%(field)s: field %(number)d of the row needs a key of lowercase letters, "
                      "digits and _.") % params]
        params["sub"] = spec_name(sub)
        problems: list[str] = []
        if key in seen:
            problems.append(_("%(field)s: two fields of the row have the key “%(key)s”. Give "
                              "each its own key.") % {**params, "key": key})
        seen.add(key)
        type_name = sub.get("type")
        if not isinstance(type_name, str) or type_name not in registry:
            problems.append(_("%(field)s: the field %(sub)s has an unknown type “%(type)s”.")
                            % {**params, "type": str(type_name)[:40]})
            return problems
        if type_name in EXCLUDED_TYPES:
            problems.append(_("%(field)s: a field of type “%(type)s” cannot be used inside a "
                              "group.") % {**params, "type": type_name})
            return problems
        if not str(localized(sub.get("label")) or "").strip():
            problems.append(_("%(field)s: the field %(sub)s needs a label.") % params)
        if "show_if" in sub or "require_if" in sub:
            problems.append(_("%(field)s: the field %(sub)s cannot have a condition inside a "
                              "group.") % params)
        problems.extend(registry.type_of(type_name).spec_problems(sub))
        return problems

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self.subspecs = usable_subspecs(spec)
        self.subkeys: tuple[str, ...] = tuple(s["key"] for s in self.subspecs)
        self._rows_built: dict[int, tuple[FieldType, ...]] = {}

    # --- options ------------------------------------------------------------------------
    @property
    def min_rows(self) -> int:
        return max(0, min(int_option(self.spec, "min_rows", 1) or 0, MAX_ROWS_LIMIT))

    @property
    def max_rows(self) -> int:
        high = int_option(self.spec, "max_rows", 10) or 1
        return max(1, self.min_rows, min(high, MAX_ROWS_LIMIT))

    @property
    def counter(self) -> str:
        return "item" if self.spec.get("counter") == "item" else "person"

    @property
    def item_label(self) -> str:
        return localized(self.spec.get("item_label")) or self.label

    @property
    def is_sensitive(self) -> bool:
        return super().is_sensitive or any(f.is_sensitive for f in self.row_fields(0))

    @property
    def input_id(self) -> str:
        if self.subspecs and self.min_rows:
            return self.row_fields(0)[0].input_id
        return f"f-{self.key}-add"

    def row_fields(self, row: int) -> tuple[FieldType, ...]:
        """The sub-fields of row ``row`` (0-based), keyed ``<key>-<row>-<subkey>``."""
        built = self._rows_built.get(row)
        if built is None:
            # A row describes someone else: the browser should not fill in the resident's own
            # name or address (a sub-field's spec may still ask for autocomplete).
            built = tuple(registry.build({"autocomplete": "off", **sub,
                                          "key": f"{self.key}-{row}-{sub['key']}"})
                          for sub in self.subspecs)
            if row < MAX_ROWS_LIMIT:
                self._rows_built[row] = built
        return built

    # --- wording ------------------------------------------------------------------------
    def row_label(self, number: int) -> str:
        """The legend of row ``number`` (1-based), e.g. お子さん（2人目） / Child 2."""
        params = {"item": self.item_label, "number": number}
        if self.counter == "item":
            return pgettext("group row of things", "%(item)s %(number)d") % params
        return pgettext("group row of people", "%(item)s %(number)d") % params

    def row_error(self, number: int, message: str) -> str:
        """A sub-field's message naming its row, e.g. 2人目のお子さん：生年月日を…"""
        params = {"item": self.item_label, "number": number, "message": message}
        if self.counter == "item":
            return pgettext("group row of things", "%(item)s %(number)d: %(message)s") % params
        return pgettext("group row of people", "%(item)s %(number)d: %(message)s") % params

    def _fewest_message(self) -> str:
        params = {"label": self.label, "min": self.min_rows}
        if self.counter == "item":
            return pgettext("group row of things", "Enter at least %(min)d for %(label)s.") % params
        return pgettext("group row of people", "Enter at least %(min)d for %(label)s.") % params

    def _most_message(self) -> str:
        params = {"label": self.label, "max": self.max_rows}
        if self.counter == "item":
            return pgettext("group row of things",
                            "You can enter up to %(max)d for %(label)s.") % params
        return pgettext("group row of people",
                        "You can enter up to %(max)d for %(label)s.") % params

    def _keep_message(self) -> str:
        params = {"label": self.label, "min": self.min_rows}
        if self.counter == "item":
            return pgettext("group row of things", "%(label)s needs at least %(min)d, so this "
                            "one cannot be removed.") % params
        return pgettext("group row of people", "%(label)s needs at least %(min)d, so this one "
                        "cannot be removed.") % params

    def required_message(self) -> str:
        return _("Enter the details of %(label)s.") % {"label": self.label}

    # --- raw values ---------------------------------------------------------------------
    def empty_row(self) -> dict[str, Any]:
        return {k: f.raw_from_value(None) for k, f in zip(self.subkeys, self.row_fields(0),
                                                         strict=True)}

    def _rows(self, raw: Any, *, pad: bool = False) -> list[dict[str, Any]]:
        """``raw`` as at most ``max_rows`` rows with every sub-key (padded to ``min_rows``)."""
        rows: list[dict[str, Any]] = []
        for row in raw[: self.max_rows] if isinstance(raw, list) else []:
            empty = self.empty_row()
            if isinstance(row, Mapping):
                empty.update({k: row[k] for k in self.subkeys if row.get(k) is not None})
            rows.append(empty)
        while pad and len(rows) < self.min_rows:
            rows.append(self.empty_row())
        return rows

    def _row_count(self, data: Mapping[str, Any]) -> int:
        posted = data.get(f"{self.key}-rows")
        if isinstance(posted, str) and posted.isascii() and posted.isdigit() and len(posted) < 20:
            count = int(posted)
        else:  # no usable count: the highest row that has an input in the POST
            pattern = re.compile(rf"{re.escape(self.key)}-(\d{{1,3}})-")
            count = 0
            for index, name in enumerate(data.keys()):
                if index >= MAX_POSTED_NAMES:
                    break
                match = pattern.match(name) if isinstance(name, str) else None
                if match and int(match[1]) < self.max_rows:
                    count = max(count, int(match[1]) + 1)
        return max(self.min_rows, min(count, self.max_rows))

    def raw_from_post(
        self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """One dict per row shown: ``{subkey: the sub-field's raw value}``."""
        return [
            {k: f.raw_from_post(data, files)
             for k, f in zip(self.subkeys, self.row_fields(row), strict=True)}
            for row in range(self._row_count(data))
        ]

    def raw_from_value(self, value: Any) -> list[dict[str, Any]]:
        rows = []
        for row in value[: self.max_rows] if isinstance(value, list) else []:
            row = row if isinstance(row, Mapping) else {}
            rows.append({k: f.raw_from_value(row.get(k))
                         for k, f in zip(self.subkeys, self.row_fields(0), strict=True)})
        while len(rows) < self.min_rows:
            rows.append(self.empty_row())
        return rows

    def _row_empty(self, row: Mapping[str, Any]) -> bool:
        return all(f.is_empty(row.get(k))
                   for k, f in zip(self.subkeys, self.row_fields(0), strict=True))

    def is_empty(self, raw: Any) -> bool:
        return all(self._row_empty(row) for row in self._rows(raw))

    # --- validation ---------------------------------------------------------------------
    def _validate_sub(self, field: FieldType, raw: Any) -> Any:
        try:
            return field.validate(raw)
        except FieldError:
            raise
        except (TypeError, AttributeError, ValueError, KeyError) as exc:
            # Only a raw value no form could have sent gets here.
            raise FieldError(_("Check %(label)s.") % {"label": field.label}) from exc

    def clean(self, raw: Any) -> list[dict[str, Any]]:
        value: list[dict[str, Any]] = []
        for index, row in enumerate(self._rows(raw)):
            if self._row_empty(row):
                continue  # a row left empty is not an answer
            clean_row: dict[str, Any] = {}
            for key, field in zip(self.subkeys, self.row_fields(index), strict=True):
                try:
                    clean_row[key] = self._validate_sub(field, row.get(key))
                except FieldError as exc:
                    raise FieldError(self.row_error(index + 1, exc.message)) from exc
            value.append(clean_row)
        if not value:
            raise FieldError(self.required_message())
        if len(value) < self.min_rows:
            raise FieldError(self._fewest_message())
        return value

    # --- buttons ------------------------------------------------------------------------
    def action(self, raw: Any, command: str) -> tuple[Any, Any]:
        """``add``, ``remove-<row>``, or ``<row>-<subkey>:<command>`` for a sub-field's button."""
        rows = self._rows(raw, pad=True)
        if command == "add":
            if len(rows) >= self.max_rows:
                return rows, {"message": self._most_message()}
            rows.append(self.empty_row())
            return rows, {"message": _("%(row)s has been added.")
                          % {"row": self.row_label(len(rows))}}
        match = self.row_commands.fullmatch(command)
        if match:
            index = int(match[1])
            if index >= len(rows):
                return rows, None
            if len(rows) <= self.min_rows:
                return rows, {"message": self._keep_message()}
            del rows[index]
            return rows, {"message": _("%(row)s has been removed.")
                          % {"row": self.row_label(index + 1)}}
        match = self.sub_commands.fullmatch(command)
        if match and int(match[1]) < len(rows) and match[2] in self.subkeys:
            index, key = int(match[1]), match[2]
            field = self.row_fields(index)[self.subkeys.index(key)]
            rows[index][key], feedback = field.action(rows[index][key], match[3])
            return rows, None if feedback is None else {"row": index, "sub": key,
                                                        "feedback": feedback}
        return rows, None

    def template_rows(self, raw: Any, error: str = "", feedback: Any = None) -> list[dict]:
        """What group.html shows: each row's legend, sub-fields with raw, error and feedback."""
        rows = self._rows(raw, pad=True)
        feedback = feedback if isinstance(feedback, Mapping) else {}
        shown = []
        for index, row in enumerate(rows):
            check = bool(error) and not self._row_empty(row)
            fields = []
            for key, field in zip(self.subkeys, self.row_fields(index), strict=True):
                message = ""
                if check:
                    try:
                        self._validate_sub(field, row.get(key))
                    except FieldError as exc:
                        message = exc.message
                mine = feedback.get("row") == index and feedback.get("sub") == key
                fields.append({"field": field, "raw": row.get(key), "error": message,
                               "feedback": feedback.get("feedback") if mine else None})
            legend = self.row_label(index + 1)
            shown.append({
                "index": index, "legend": legend, "fields": fields,
                "removable": len(rows) > self.min_rows,
                "remove_label": _("Remove %(row)s") % {"row": legend},
            })
        return shown

    @property
    def add_label(self) -> str:
        return _("Add %(item)s") % {"item": self.item_label}

    # --- display ------------------------------------------------------------------------
    def _lines(self, value: Any, masked: bool) -> str:
        lines = []
        for number, row in enumerate(value if isinstance(value, list) else [], start=1):
            row = row if isinstance(row, Mapping) else {}
            answers = []
            for key, field in zip(self.subkeys, self.row_fields(0), strict=True):
                shown = field.mask(row.get(key)) if masked else field.display(row.get(key))
                if shown:
                    answers.append(_("%(label)s: %(value)s")
                                   % {"label": field.label, "value": shown})
            lines.append(_("%(row)s: %(answers)s") % {
                "row": self.row_label(number),
                "answers": pgettext("answers separator", " / ").join(answers),
            })
        return "\n".join(lines)

    def display(self, value: Any) -> str:
        return self._lines(value, masked=False)

    def mask(self, value: Any) -> str:
        if self.sensitive or self.spec.get("sensitive"):
            return "＊＊＊＊" if value else ""
        return self._lines(value, masked=True)
