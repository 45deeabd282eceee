"""The template library: ready-made forms a city copies and adapts in the builder.

Each template is an interchange file in ``forms/library/<slug>.json`` (see
:mod:`madoguchi.forms.interchange`), read through :func:`~madoguchi.forms.interchange.parse_import`
so the shipped templates obey exactly the rules of a file imported from another city.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .interchange import ImportRefused, parse_import

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


class LibraryError(RuntimeError):
    """A shipped template does not load: a bug in the template file, named with its problems."""


@dataclass(frozen=True)
class LibraryTemplate:
    """One template of the library, ready to become a city's draft form."""

    slug: str
    title: dict[str, str]
    description: dict[str, str]
    category: str
    procedure_slug: str | None
    definition: dict[str, Any]


def _load(path: Path) -> LibraryTemplate:
    try:
        imported = parse_import(path.read_bytes())
    except ImportRefused as exc:
        raise LibraryError(f"library template {path.name}: {'; '.join(exc.problems)}") from exc
    if imported.slug != path.stem:
        raise LibraryError(f"library template {path.name} has the slug {imported.slug!r}")
    if imported.template is None:
        raise LibraryError(f"library template {path.name} has no \"template\" description")
    return LibraryTemplate(
        slug=imported.slug,
        title=imported.title,
        description=imported.template.description,
        category=imported.template.category,
        procedure_slug=imported.procedure_slug,
        definition=imported.definition,
    )


@functools.cache
def _slugs() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in LIBRARY_DIR.glob("*.json")))


@functools.cache
def _template(slug: str) -> LibraryTemplate:
    return _load(LIBRARY_DIR / f"{slug}.json")


def templates() -> list[LibraryTemplate]:
    """Every template, by slug. Raises :class:`LibraryError` if a shipped file is broken.

    Templates are read once per process; callers must copy a definition before changing it.
    """
    return [_template(slug) for slug in _slugs()]


def get_template(slug: str) -> LibraryTemplate | None:
    """The template with ``slug``, or ``None``; only that template's file is read."""
    return _template(slug) if slug in _slugs() else None


def clear_cache() -> None:
    """Forget the loaded templates (tests, or after the field registry changed)."""
    _slugs.cache_clear()
    _template.cache_clear()
