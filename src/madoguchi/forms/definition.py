"""A form definition (JSON: pages → fields) read through the field registry."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from madoguchi.core import jsonlogic as logic
from madoguchi.core.i18n import localized

from .concepts import CONCEPTS, ROW_CONCEPTS
from .fields import FieldError, FieldType, registry

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Options of a field that residents read: a text, or {"ja": ..., "en": ...}.
TEXT_OPTIONS = ("label", "hint", "required_message", "pattern_message", "statement", "text",
                "unit", "item_label")


def _is_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )
# Who may file the form: signed-in residents, anyone, or only a clerk at the counter (the
# resident pages refuse a counter-only form; the city says the procedure needs a visit).
ACCESS_MODES = ("resident", "anyone", "counter")
# How strongly a resident form needs the applicant's identity proven: an e-mail account is
# enough ("email"), or a card-based sign-in through an identity provider ("high": 公的個人認証,
# e.g. デジタル認証アプリ). A "high" form prefills and locks the verified
# 氏名, 住所, 生年月日 and 性別.
ASSURANCE_LEVELS = ("email", "high")


class DefinitionError(ValueError):
    """The JSON definition is not a usable form; ``problems`` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _name(spec: Mapping[str, Any], key: str) -> str:
    """How a problem names a page or field: its label (or title) and key."""
    label = localized(spec.get("label") or spec.get("title")) if isinstance(spec, Mapping) else ""
    return f"「{label}」({key})" if label else f"({key})"


def check_definition(definition: Any) -> list[str]:
    """Every problem that stops a definition from being published (empty when it is fine).

    The messages are for the staff member building the form: they name the page or field and
    say what to change.
    """
    if not isinstance(definition, Mapping):
        return [_("The form definition must be a JSON object.")]
    problems: list[str] = []
    pages = definition.get("pages")
    if not isinstance(definition.get("title"), dict) or not localized(definition.get("title")):
        problems.append(_("Give the form a title."))
    if definition.get("access", "resident") not in ACCESS_MODES:
        problems.append(_("Who may apply must be “resident”, “anyone” or “counter”."))
    if definition.get("signature", False) not in (True, False):
        problems.append(_("The setting “signature” must be true or false."))
    if definition.get("assurance", "email") not in ASSURANCE_LEVELS:
        problems.append(_("The identity check must be “email” or “high”."))
    elif (definition.get("assurance") == "high"
          and definition.get("access", "resident") != "resident"):
        problems.append(_("Only a form for residents with an account can require a "
                          "card-based sign-in."))
    if not isinstance(pages, list) or not pages:
        return [*problems, _("Add at least one page to the form.")]
    page_keys: set[str] = set()
    fields_by_key: dict[str, tuple[int, Mapping[str, Any]]] = {}
    conditions: list[tuple[str, int, str, Any]] = []  # (owner name, page index, kind, rule)
    for index, page in enumerate(pages, start=1):
        key = page.get("key", "") if isinstance(page, Mapping) else ""
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append(
                _("Page %(number)d needs a key of lowercase letters, digits and _ "
                  "(e.g. page_%(number)d).")
                % {"number": index}
            )
            continue
        if key in page_keys:
            problems.append(_("Two pages have the key “%(key)s”. Give each page its own key.")
                            % {"key": key})
        page_keys.add(key)
        if key == "check":
            problems.append(_("The page key “check” is reserved for the check-your-answers page."))
        if not isinstance(page.get("title"), dict) or not localized(page.get("title")):
            problems.append(_("Page %(page)s needs a title.") % {"page": _name(page, key)})
        if "show_if" in page:
            conditions.append((_name(page, key), index, "page", page["show_if"]))
        page_fields = page.get("fields", [])
        if not isinstance(page_fields, list):
            problems.append(_("The fields of page %(page)s must be a list.")
                            % {"page": _name(page, key)})
            continue
        for field in page_fields:
            problems.extend(_check_field(field, key, index, fields_by_key, conditions))
    for field_key in ("applicant_field", "contact_field"):
        named = definition.get(field_key)
        if named and named not in fields_by_key:
            problems.append(_("The field “%(key)s” named in the form settings does not exist.")
                            % {"key": named})
    if definition.get("access") == "anyone":
        contact = fields_by_key.get(definition.get("contact_field", ""))
        if contact is None or contact[1].get("type") != "email":
            problems.append(_("A form anyone may use needs an e-mail field for the reply "
                              "(the contact field)."))
    problems.extend(_check_conditions(conditions, fields_by_key))
    problems.extend(_check_concepts(fields_by_key))
    return problems


def _check_concepts(fields_by_key: Mapping[str, tuple[int, Mapping[str, Any]]]) -> list[str]:
    """Each field's concept key is in the vocabulary, meant for its type, and named once."""
    problems: list[str] = []
    named: dict[str, str] = {}
    for key, (_page, field) in fields_by_key.items():
        concept_key = field.get("concept")
        problems.extend(_check_row_concepts(field, key))
        if concept_key in (None, ""):
            continue
        concept = CONCEPTS.get(concept_key) if isinstance(concept_key, str) else None
        if concept is None:
            if isinstance(concept_key, str) and concept_key in ROW_CONCEPTS:
                problems.append(_("Field %(field)s: “%(concept)s” is for a field inside a "
                                  "repeating group.")
                                % {"field": _name(field, key),
                                   "concept": ROW_CONCEPTS[concept_key].text})
                continue
            problems.append(_("Field %(field)s: “%(concept)s” is not a concept of the list. "
                              "Choose one from the list or none.")
                            % {"field": _name(field, key), "concept": str(concept_key)[:60]})
            continue
        if field.get("type") != concept.type_name:
            problems.append(_("Field %(field)s: the concept “%(concept)s” is for a question of "
                              "another kind.") % {"field": _name(field, key),
                                                  "concept": concept.text})
        if concept.key in named:
            problems.append(_("Fields %(first)s and %(second)s both ask for “%(concept)s”. "
                              "Give the concept to one field only.")
                            % {"first": named[concept.key], "second": _name(field, key),
                               "concept": concept.text})
        named.setdefault(concept.key, _name(field, key))
    return problems


def _check_row_concepts(group: Mapping[str, Any], key: str) -> list[str]:
    """The fields of a repeating group name row concepts only, each meant for its type and
    named once in the group."""
    subs = group.get("fields") if group.get("type") == "group" else None
    problems: list[str] = []
    named: set[str] = set()
    for sub in subs if isinstance(subs, list) else []:
        concept_key = sub.get("concept") if isinstance(sub, Mapping) else None
        if concept_key in (None, ""):
            continue
        params = {"field": _name(group, key), "sub": _name(sub, str(sub.get("key", ""))),
                  "concept": str(concept_key)[:60]}
        concept = ROW_CONCEPTS.get(concept_key) if isinstance(concept_key, str) else None
        if concept is None:
            problems.append(_("%(field)s: the field %(sub)s of the row names “%(concept)s”. A "
                              "field inside a repeating group takes a concept marked “each "
                              "row”, or none.") % params)
            continue
        params["concept"] = concept.text
        if sub.get("type") != concept.type_name:
            problems.append(_("%(field)s: the concept “%(concept)s” of the field %(sub)s is for "
                              "a question of another kind.") % params)
        if concept.key in named:
            problems.append(_("%(field)s: two fields of the row ask for “%(concept)s”. Give the "
                              "concept to one field only.") % params)
        named.add(concept.key)
    return problems


def _check_field(
    field: Any, page_key: str, page_index: int,
    fields_by_key: dict[str, tuple[int, Mapping[str, Any]]],
    conditions: list[tuple[str, int, str, Any]],
) -> list[str]:
    problems: list[str] = []
    fkey = field.get("key", "") if isinstance(field, Mapping) else ""
    if not isinstance(fkey, str) or not KEY_PATTERN.match(fkey):
        return [_("A field on page “%(page)s” needs a key of lowercase letters, digits and _.")
                % {"page": page_key}]
    name = _name(field, fkey)
    if fkey in fields_by_key:
        problems.append(_("Two fields have the key “%(key)s”. Give each field its own key.")
                        % {"key": fkey})
    fields_by_key[fkey] = (page_index, field)
    type_name = field.get("type")
    if not isinstance(type_name, str) or type_name not in registry:
        problems.append(_("Field %(field)s has an unknown type “%(type)s”.")
                        % {"field": name, "type": str(type_name)[:40]})
        return problems
    cls = registry.type_of(type_name)
    if cls.has_value and not localized(field.get("label")):
        problems.append(_("Field %(field)s needs a label.") % {"field": name})
    for text_key in TEXT_OPTIONS:
        if text_key in field and not _is_text(field[text_key]):
            problems.append(_("Field %(field)s: “%(option)s” must be a text, or texts by "
                              "language.") % {"field": name, "option": text_key})
    problems.extend(cls.spec_problems(field))
    for kind in ("show_if", "require_if"):
        if kind in field:
            conditions.append((name, page_index, "field", field[kind]))
    return problems


def _check_conditions(
    conditions: list[tuple[str, int, str, Any]],
    fields_by_key: dict[str, tuple[int, Mapping[str, Any]]],
) -> list[str]:
    problems: list[str] = []
    for owner, page_index, kind, rule in conditions:
        structure = logic.problems(rule)
        if structure:
            reasons = "; ".join(dict.fromkeys(logic.explain(tag) for tag in structure))
            problems.append(_("The condition of %(owner)s cannot be read: %(reason)s. Set it "
                              "again.") % {"owner": owner, "reason": reasons})
            continue
        for var in logic.variables(rule):
            target = fields_by_key.get(var)
            if target is None:
                problems.append(
                    _("The condition of %(owner)s refers to the field “%(key)s”, which does not "
                      "exist (was it deleted?). Change or remove the condition.")
                    % {"owner": owner, "key": var}
                )
            elif kind == "page" and target[0] >= page_index:
                problems.append(
                    _("Nobody can reach page %(owner)s: its condition depends on %(field)s, which "
                      "is answered on the same or a later page. Move the page or change the "
                      "condition.") % {"owner": owner, "field": _name(target[1], var)}
                )
            elif kind == "field" and target[0] > page_index:
                problems.append(
                    _("The condition of %(owner)s depends on %(field)s, which is answered on a "
                      "later page. Move the field or change the condition.")
                    % {"owner": owner, "field": _name(target[1], var)}
                )
        condition = logic.Condition.from_logic(rule)
        if condition is not None and condition.field in fields_by_key:
            problems.extend(_never_true(owner, kind, condition, fields_by_key[condition.field][1]))
    return problems


def _never_true(owner: str, kind: str, condition: logic.Condition,
                target: Mapping[str, Any]) -> list[str]:
    """A condition on a choice that names a value the choice does not offer can never hold."""
    if target.get("type") != "choice" or condition.phrase not in ("is", "contains"):
        return []
    values = {str(o.get("value")) for o in target.get("options", []) if isinstance(o, Mapping)}
    # Ticked options are a list of texts, and "in" tests a list member with ===: the number 1
    # is never the option "1" there (JSON Logic), so only a text can match.
    strict = condition.phrase == "contains" and target.get("multiple")
    if str(condition.value) in values and (isinstance(condition.value, str) or not strict):
        return []
    if kind == "page":
        return [_("Nobody can reach page %(owner)s: its condition asks for “%(value)s”, which is "
                  "not an option of %(field)s.")
                % {"owner": owner, "value": str(condition.value)[:40],
                   "field": _name(target, condition.field)}]
    return [_("The condition of %(owner)s asks for “%(value)s”, which is not an option of "
              "%(field)s.") % {"owner": owner, "value": str(condition.value)[:40],
                               "field": _name(target, condition.field)}]


@dataclass(frozen=True)
class Page:
    key: str
    spec: Mapping[str, Any]
    fields: tuple[FieldType, ...]

    @property
    def title(self) -> str:
        return localized(self.spec.get("title"))

    @property
    def intro(self) -> str:
        return localized(self.spec.get("intro"))

    @property
    def value_fields(self) -> tuple[FieldType, ...]:
        return tuple(f for f in self.fields if f.has_value)

    def shown(self, answers: Mapping[str, Any]) -> bool:
        """Whether the page applies, given the answers of earlier pages."""
        rule = self.spec.get("show_if")
        return rule is None or logic.evaluate(rule, answers)


def field_shown(field: FieldType, answers: Mapping[str, Any]) -> bool:
    rule = field.spec.get("show_if")
    return rule is None or logic.evaluate(rule, answers)


def field_required(field: FieldType, answers: Mapping[str, Any]) -> bool:
    rule = field.spec.get("require_if")
    return field.required or (rule is not None and logic.evaluate(rule, answers))


def _unanswered(value: Any) -> bool:
    return value in (None, "", {}, [], False)


class FormSpec:
    """The pages and fields of one form version, and the conditions between them.

    Every method that depends on conditions takes the answers so far: a page or field whose
    ``show_if`` does not hold is skipped, is not validated and keeps no answer.
    """

    def __init__(self, definition: Mapping[str, Any]) -> None:
        problems = check_definition(definition)
        if problems:
            raise DefinitionError(problems)
        self.definition = definition
        self.pages: tuple[Page, ...] = tuple(
            Page(
                key=page["key"],
                spec=page,
                fields=tuple(registry.build(f) for f in page.get("fields", [])),
            )
            for page in definition["pages"]
        )
        self._by_key: dict[str, FieldType] = {
            f.key: f for page in self.pages for f in page.value_fields
        }

    @property
    def title(self) -> str:
        return localized(self.definition.get("title"))

    @property
    def access(self) -> str:
        """"resident" (sign-in needed), "anyone" (e.g. an event or a survey) or "counter"
        (filed by a clerk at the counter only)."""
        return self.definition.get("access", "resident")

    @property
    def needs_signature(self) -> bool:
        """Whether the resident signs when the form is filed at a counter visit."""
        return self.definition.get("signature") is True

    @property
    def assurance(self) -> str:
        """"email" (an e-mail account is enough) or "high" (card-based sign-in needed)."""
        return self.definition.get("assurance", "email")

    def page(self, key: str) -> Page | None:
        return next((p for p in self.pages if p.key == key), None)

    def _walk(self, answers: Mapping[str, Any]) -> tuple[list[Page], dict[str, Any]]:
        """The pages that apply and the answers that count, in page order.

        A page's condition is evaluated on the answers kept from earlier pages only, so an
        answer left on a page that no longer applies cannot show another page or field.
        Within a page, a field's condition sees the page's own answers that apply.
        """
        kept: dict[str, Any] = {}
        shown: list[Page] = []
        for page in self.pages:
            if not page.shown(kept):
                continue
            shown.append(page)
            own = {f.key: answers[f.key] for f in page.value_fields if f.key in answers}
            for _round in range(3):  # a same-page chain settles in a round or two
                applying = {k: v for k, v in own.items()
                            if field_shown(self._by_key[k], {**kept, **own})}
                if applying == own:
                    break
                own = applying
            kept.update(own)
        return shown, kept

    def shown_pages(self, answers: Mapping[str, Any]) -> list[Page]:
        return self._walk(answers)[0]

    def next_page(self, key: str, answers: Mapping[str, Any] | None = None) -> Page | None:
        shown = {p.key for p in self.shown_pages(answers or {})}
        keys = [p.key for p in self.pages]
        following = self.pages[keys.index(key) + 1:]
        return next((p for p in following if p.key in shown), None)

    def previous_page(self, key: str, answers: Mapping[str, Any] | None = None) -> Page | None:
        shown = {p.key for p in self.shown_pages(answers or {})}
        keys = [p.key for p in self.pages]
        earlier = reversed(self.pages[: keys.index(key)])
        return next((p for p in earlier if p.key in shown), None)

    def fields(self) -> Iterator[FieldType]:
        for page in self.pages:
            yield from page.value_fields

    def field(self, key: str) -> FieldType | None:
        return next((f for f in self.fields() if f.key == key), None)

    def validate_page(
        self, page: Page, data: Mapping[str, Any], files: Mapping[str, Any] | None = None,
        answers: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
        """Read one page's POST: (raw values, clean values, errors by field key).

        Conditions are evaluated on the earlier answers plus this page's own values, so a field
        that depends on a choice on the same page is checked only when it applies.
        """
        raw: dict[str, Any] = {}
        tentative: dict[str, Any] = self.prune(answers or {})
        for field in page.value_fields:
            raw[field.key] = field.raw_from_post(data, files)
            tentative.pop(field.key, None)
            if not field.is_empty(raw[field.key]):
                with contextlib.suppress(FieldError):
                    tentative[field.key] = field.clean(raw[field.key])
        clean: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for field in page.value_fields:
            if not field_shown(field, tentative):
                continue
            try:
                if field_required(field, tentative) and field.is_empty(raw[field.key]):
                    raise FieldError(field.required_message())
                clean[field.key] = field.validate(raw[field.key])
            except FieldError as exc:
                errors[field.key] = exc.message
        return raw, clean, errors

    def prune(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers without those of pages and fields that no longer apply."""
        return self._walk(answers)[1]

    def missing_pages(self, answers: Mapping[str, Any], done_pages: list[str]) -> list[Page]:
        """Pages that apply and are not yet completed, or whose required answers are missing."""
        missing = []
        shown, kept = self._walk(answers)
        for page in shown:
            incomplete = any(
                field_shown(f, kept) and field_required(f, kept)
                and _unanswered(kept.get(f.key))
                for f in page.value_fields
            )
            if page.key not in done_pages or incomplete:
                missing.append(page)
        return missing

    def revalidate(self, answers: Mapping[str, Any]) -> dict[str, str]:
        """Check stored clean answers again before they become an application."""
        errors: dict[str, str] = {}
        shown, kept = self._walk(answers)
        for page in shown:
            for field in page.value_fields:
                if not field_shown(field, kept):
                    continue
                value = kept.get(field.key)
                raw = field.raw_from_value(value) if value is not None else ""
                try:
                    if field_required(field, kept) and field.is_empty(raw):
                        raise FieldError(field.required_message())
                    field.validate(raw)
                except FieldError as exc:
                    errors[field.key] = exc.message
        return errors

    def summary(self, answers: Mapping[str, Any], *, masked: bool = False) -> list[dict[str, Any]]:
        """Pages with (label, displayed value) rows, for the check page and staff views.

        Pages and fields that do not apply to these answers are left out.
        """
        rows = []
        shown, kept = self._walk(answers)
        for page in shown:
            items = []
            for field in page.value_fields:
                if not field_shown(field, kept):
                    continue
                value = kept.get(field.key)
                shown = field.mask(value) if masked else field.display(value)
                items.append({"key": field.key, "label": field.label, "value": shown,
                              "input_id": field.input_id})
            rows.append({"page": page, "items": items})
        return rows

    def sensitive_keys(self) -> set[str]:
        return {f.key for f in self.fields() if f.is_sensitive}
