"""One interview for several forms: the union of their questions, each concept asked once.

Every value field of every chosen form becomes a question, except that fields naming the same
concept (:mod:`madoguchi.forms.concepts`) share one question whose answer fills each of them.
A question is the form's own field type built under the question's name, so it renders with the
resident pages' templates and reads the POST the same way; answers are then checked form by form
with :meth:`FormSpec.revalidate`, which applies each form's conditions and required fields with
its own messages.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from madoguchi.core.i18n import localized
from madoguchi.forms.builder.conditions import condition_text
from madoguchi.forms.concepts import CONCEPTS, Concept, concept_of, row_concept_key, row_concept_of
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.fields import FieldError, FieldType, registry
from madoguchi.forms.fields.group import GroupField
from madoguchi.forms.fields.options import OptionKind
from madoguchi.forms.models import FormVersion


@dataclass(frozen=True)
class Source:
    """One form the visit files: its slug, live version and parsed definition."""

    slug: str
    version: FormVersion
    spec: FormSpec

    @property
    def title(self) -> str:
        return localized(self.version.form.title) or self.spec.title


@dataclass
class Question:
    """One question of the interview and the form fields its answer fills."""

    name: str
    field: FieldType
    concept: Concept | None
    # (form slug, field key) of each form field the answer fills
    targets: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    forms: list[str] = dataclasses.field(default_factory=list)  # titles of the forms asking it
    note: str = ""  # when the question applies, for a conditional field


def _merged_spec(specs: Sequence[Mapping[str, Any]], name: str) -> dict[str, Any]:
    """The question's spec: the first field's, with every yes/no option any of the fields sets
    (``required``, ``kana`` ...) set, so one answer satisfies each form; no conditions."""
    merged = {k: v for k, v in specs[0].items() if k not in ("show_if", "require_if")}
    cls = registry.type_of(str(merged["type"]))
    flags = ["required", *(o.name for o in cls.declared_options() if o.kind == OptionKind.FLAG)]
    for spec in specs[1:]:
        for flag in flags:
            if spec.get(flag) is True:
                merged[flag] = True
    merged["key"] = name
    return merged


def build_questions(sources: Sequence[Source]) -> list[Question]:
    """The interview's questions: the shared concepts first (in the vocabulary's order), then
    each form's own questions in page order."""
    shared: dict[str, list[tuple[Source, FieldType]]] = {}
    own: list[tuple[int, Source, FieldType]] = []
    for index, source in enumerate(sources):
        for form_field in source.spec.fields():
            concept = concept_of(form_field.spec)
            if concept is not None and form_field.type_name == concept.type_name:
                shared.setdefault(concept.key, []).append((source, form_field))
            else:
                own.append((index, source, form_field))
    questions: list[Question] = []
    for key in (k for k in CONCEPTS if k in shared):
        asking = shared[key]
        name = "c_" + key.replace(".", "_")
        spec = _merged_spec([f.spec for _s, f in asking], name)
        questions.append(Question(
            name=name, field=registry.build(spec), concept=CONCEPTS[key],
            targets=[(s.slug, f.key) for s, f in asking],
            forms=list(dict.fromkeys(s.title for s, _f in asking))))
    for index, source, form_field in own:
        name = f"f{index}_{form_field.key}"
        rule = form_field.spec.get("show_if") or form_field.spec.get("require_if")
        note = condition_text(rule, source.spec.definition) if rule is not None else ""
        questions.append(Question(
            name=name, field=registry.build(_merged_spec([form_field.spec], name)), concept=None,
            targets=[(source.slug, form_field.key)], forms=[source.title], note=note))
    return questions


def group_rows(field: GroupField, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of a repeating group that the resident's data fills, by its fields' row
    concepts (row 1 the first child, ...); empty when no field names one or nothing is known."""
    concepts: dict[str, Concept] = {}
    for key, spec in zip(field.subkeys, field.subspecs, strict=True):
        concept = row_concept_of(spec)
        if concept is not None:
            concepts[key] = concept
    rows: list[dict[str, Any]] = []
    for row in range(field.max_rows):
        found = {key: values[row_concept_key(c.key, row)] for key, c in concepts.items()
                 if row_concept_key(c.key, row) in values}
        if not found:
            break
        rows.append(found)
    return rows


def prefill(questions: Sequence[Question], values: Mapping[str, Any]) -> dict[str, Any]:
    """Raw inputs for the questions whose concept the resident's data knows, and the rows of
    repeating groups whose fields name row concepts."""
    raw: dict[str, Any] = {}
    for question in questions:
        concept = question.concept
        if concept is not None and concept.key in values:
            raw[question.name] = question.field.raw_from_value(values[concept.key])
        elif isinstance(question.field, GroupField):
            rows = group_rows(question.field, values)
            if rows:
                raw[question.name] = question.field.raw_from_value(rows)
    return raw


@dataclass
class Result:
    """What the interview POST gave: raw inputs (to show again), each form's answers, errors
    by question name, and feedback of a field's own button (the address look-up)."""

    raw: dict[str, Any]
    answers: dict[str, dict[str, Any]]
    errors: dict[str, str]
    feedback: dict[str, Any] = dataclasses.field(default_factory=dict)


def read(questions: Sequence[Question], sources: Sequence[Source], data: Mapping[str, Any],
         files: Mapping[str, Any] | None = None) -> Result:
    """Read and check the interview POST.

    An answer is cleaned by its question's field; an empty one is left to the forms. Each form
    then checks its own answers (conditions, required fields, its own limits), and a form's
    message is shown at the question that fills that field.
    """
    raw: dict[str, Any] = {}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        raw[question.name] = question.field.raw_from_post(data, files)
        if question.field.is_empty(raw[question.name]):
            continue
        try:
            values[question.name] = question.field.clean(raw[question.name])
        except FieldError as exc:
            errors[question.name] = exc.message
    by_target = {target: q for q in questions for target in q.targets}
    answers: dict[str, dict[str, Any]] = {}
    for source in sources:
        own = {key: values[by_target[slug, key].name]
               for slug, key in by_target if slug == source.slug
               and by_target[slug, key].name in values}
        answers[source.slug] = source.spec.prune(own)
        for key, message in source.spec.revalidate(own).items():
            asking = by_target.get((source.slug, key))
            if asking is not None:
                errors.setdefault(asking.name, message)
    return Result(raw=raw, answers=answers, errors=errors)


def act(questions: Sequence[Question], raw: dict[str, Any], action: str) -> dict[str, Any]:
    """Run a field's own button (``_action=<name>:<command>``, e.g. the address look-up or a
    group's "add a row") on the raw inputs; returns the feedback by question name."""
    target, _sep, command = action.partition(":")
    for question in questions:
        if target == question.name or target.startswith(f"{question.name}-"):
            if target != question.name:
                command = f"{target[len(question.name) + 1:]}:{command}"
            with contextlib.suppress(FieldError):
                raw[question.name], feedback = question.field.action(raw[question.name], command)
                return {question.name: feedback}
    return {}
