"""Test helper: use this app's Japanese catalog before the lead merges it into the main one.

Helpers write their translations to ``.i18n/<name>.po`` at the repository root; once merged
into ``src/madoguchi/locale`` this is a no-op (the file is gone or its messages are already
there).
"""

from __future__ import annotations

from pathlib import Path

PO_FILE = Path(__file__).resolve().parents[3] / ".i18n" / "faq.po"


def pending_catalog(directory: Path) -> Path | None:
    """Compile ``.i18n/faq.po`` into ``directory`` as a locale path, or ``None`` if absent."""
    if not PO_FILE.exists():
        return None
    import polib

    target = directory / "ja" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    polib.pofile(str(PO_FILE)).save_as_mofile(str(target / "django.mo"))
    return directory
