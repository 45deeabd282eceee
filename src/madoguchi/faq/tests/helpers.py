"""Test helper: an optional extra Japanese catalog for the FAQ tests.

If a file ``.i18n/faq.po`` exists at the repository root, :func:`pending_catalog` compiles it and
the FAQ test fixtures put it in front of ``LOCALE_PATHS``, so the tests can run against FAQ
translations kept outside ``src/madoguchi/locale``. The repository has no such file: the FAQ
translations are in the main catalog and the fixtures change nothing.
"""

from __future__ import annotations

from pathlib import Path

PO_FILE = Path(__file__).resolve().parents[4] / ".i18n" / "faq.po"


def pending_catalog(directory: Path) -> Path | None:
    """Compile ``.i18n/faq.po`` into ``directory`` as a locale path, or ``None`` if absent."""
    if not PO_FILE.exists():
        return None
    import polib

    target = directory / "ja" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    polib.pofile(str(PO_FILE)).save_as_mofile(str(target / "django.mo"))
    return directory
