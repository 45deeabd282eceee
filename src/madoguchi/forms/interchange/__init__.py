"""Form interchange: one JSON file that carries a form definition between cities.

:mod:`.export` writes the file, :mod:`.reading` reads one that came from anywhere (the envelope and
every value), :mod:`.structure` checks the definition's pages, fields and options, and
:mod:`.common` holds the limits and results they share. The format is described in
``docs/form-format.md``.
"""

from .common import (
    CATEGORIES,
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_BYTES,
    MAX_FIELDS,
    MAX_NESTING,
    MAX_OPTIONS,
    MAX_PAGES,
    MAX_REPORTED_PROBLEMS,
    MAX_STRING_LENGTH,
    SUPPORTED_VERSIONS,
    ImportedForm,
    ImportRefused,
    TemplateMeta,
)
from .export import build_envelope, dumps, export_form, export_json
from .options import BILINGUAL_OPTIONS
from .reading import parse_import

__all__ = [
    "BILINGUAL_OPTIONS", "CATEGORIES", "FORMAT_NAME", "FORMAT_VERSION", "MAX_BYTES", "MAX_FIELDS",
    "MAX_NESTING", "MAX_OPTIONS", "MAX_PAGES", "MAX_REPORTED_PROBLEMS", "MAX_STRING_LENGTH",
    "SUPPORTED_VERSIONS", "ImportRefused", "ImportedForm", "TemplateMeta", "build_envelope",
    "dumps", "export_form", "export_json", "parse_import",
]
