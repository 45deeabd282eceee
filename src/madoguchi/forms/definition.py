"""A form definition (JSON: pages → fields) read through the field registry."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from madoguchi.core.i18n import localized

from .fields import FieldError, FieldType, registry

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class DefinitionError(ValueError):
    """The JSON definition is not a usable form; ``problems`` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def check_definition(definition: Mapping[str, Any]) -> list[str]:
    """Every problem that stops a definition from being published (empty when it is fine)."""
    problems: list[str] = []
    pages = definition.get("pages")
    if not isinstance(definition.get("title"), dict):
        problems.append("the form needs a title {'ja': ..., 'en': ...}")
    if not isinstance(pages, list) or not pages:
        return [*problems, "the form needs at least one page"]
    page_keys: set[str] = set()
    field_keys: set[str] = set()
    for index, page in enumerate(pages, start=1):
        key = page.get("key", "") if isinstance(page, dict) else ""
        if not KEY_PATTERN.match(str(key)):
            problems.append(f"page {index} needs a key of lowercase letters, digits and _")
            continue
        if key in page_keys:
            problems.append(f"two pages share the key {key!r}")
        page_keys.add(key)
        if key == "check":
            problems.append("'check' is reserved for the check-your-answers page")
        if not isinstance(page.get("title"), dict):
            problems.append(f"page {key!r} needs a title")
        for field in page.get("fields", []):
            fkey = field.get("key", "") if isinstance(field, dict) else ""
            if not KEY_PATTERN.match(str(fkey)):
                problems.append(f"a field on page {key!r} needs a key")
                continue
            if fkey in field_keys:
                problems.append(f"two fields share the key {fkey!r}")
            field_keys.add(fkey)
            if field.get("type") not in registry:
                problems.append(f"field {fkey!r} has an unknown type {field.get('type')!r}")
            elif field["type"] == "choice" and not field.get("options"):
                problems.append(f"choice field {fkey!r} has no options")
    return problems


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


class FormSpec:
    """The pages and fields of one form version."""

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

    @property
    def title(self) -> str:
        return localized(self.definition.get("title"))

    def page(self, key: str) -> Page | None:
        return next((p for p in self.pages if p.key == key), None)

    def next_page(self, key: str) -> Page | None:
        keys = [p.key for p in self.pages]
        index = keys.index(key)
        return self.pages[index + 1] if index + 1 < len(self.pages) else None

    def previous_page(self, key: str) -> Page | None:
        keys = [p.key for p in self.pages]
        index = keys.index(key)
        return self.pages[index - 1] if index > 0 else None

    def fields(self) -> Iterator[FieldType]:
        for page in self.pages:
            yield from page.value_fields

    def field(self, key: str) -> FieldType | None:
        return next((f for f in self.fields() if f.key == key), None)

    def validate_page(
        self, page: Page, data: Mapping[str, Any], files: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
        """Read one page's POST: (raw values, clean values, errors by field key)."""
        raw: dict[str, Any] = {}
        clean: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for field in page.value_fields:
            raw[field.key] = field.raw_from_post(data, files)
            try:
                clean[field.key] = field.validate(raw[field.key])
            except FieldError as exc:
                errors[field.key] = exc.message
        return raw, clean, errors

    def missing_pages(self, answers: Mapping[str, Any], done_pages: list[str]) -> list[Page]:
        """Pages not yet completed, or whose required answers are missing."""
        missing = []
        for page in self.pages:
            incomplete = any(f.required and answers.get(f.key) in (None, "", {}, False)
                             for f in page.value_fields)
            if page.key not in done_pages or incomplete:
                missing.append(page)
        return missing

    def revalidate(self, answers: Mapping[str, Any]) -> dict[str, str]:
        """Check stored clean answers again before they become an application."""
        errors: dict[str, str] = {}
        for field in self.fields():
            value = answers.get(field.key)
            try:
                field.validate(field.raw_from_value(value) if value is not None else "")
            except FieldError as exc:
                errors[field.key] = exc.message
        return errors

    def summary(self, answers: Mapping[str, Any], *, masked: bool = False) -> list[dict[str, Any]]:
        """Pages with (label, displayed value) rows, for the check page and staff views."""
        rows = []
        for page in self.pages:
            items = []
            for field in page.value_fields:
                value = answers.get(field.key)
                shown = field.mask(value) if masked else field.display(value)
                items.append({"key": field.key, "label": field.label, "value": shown,
                              "input_id": field.input_id})
            rows.append({"page": page, "items": items})
        return rows

    def sensitive_keys(self) -> set[str]:
        return {f.key for f in self.fields() if f.is_sensitive}
