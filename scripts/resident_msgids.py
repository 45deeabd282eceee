"""Which msgids residents read: the set every resident language must translate.

A msgid is a resident msgid unless every place it is used (the ``#:`` references of the Japanese
catalog, as ``make messages`` writes them) is in a staff-only part of the code: staff pages and
their forms, the form builder, the counter's staff screens (the resident pre-application under
``counter/pre`` is for residents), BPR, approvals, the registry, audit, management commands,
exports and bank transfers, the translation workflow, the demo and bench apps, and tests. A msgid
without references (added by hand and not yet refreshed) counts as a resident msgid, so nothing
is missed.

Run ``python scripts/resident_msgids.py`` to print the count, or ``--pot FILE`` to write them as a
template for translators.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "madoguchi" / "locale"
JA_PO = LOCALE_DIR / "ja" / "LC_MESSAGES" / "django.po"
SOURCE_PREFIX = "src/madoguchi/"

# Matched against "/" + the path relative to src/madoguchi (so the staff app's own "staff/..."
# files match "/staff/" too).
STAFF_ONLY = re.compile(
    r"(/staff/|staff_[a-z_]*\.py|/staff\.py|/bpr/|forms/builder"
    r"|counter/(?!templates/counter/pre|pre)|audit|management/|approvals/|registry/"
    r"|retention/staff|benchfloor|demo/|interchange|exports?\.py|export_views|/tests/"
    r"|payments/transfers|^/translations/)"
)

Key = tuple[str | None, str]  # (msgctxt, msgid)


def staff_only_path(path: str) -> bool:
    """Whether a reference path (as in a catalog, ``src/madoguchi/...``) is staff-only code."""
    relative = path.removeprefix(SOURCE_PREFIX)
    return bool(STAFF_ONLY.search("/" + relative.lstrip("/")))


def is_resident(entry: polib.POEntry) -> bool:
    """Whether residents may read ``entry`` (not every use of it is staff-only)."""
    paths = [path for path, _line in entry.occurrences]
    return not paths or not all(staff_only_path(path) for path in paths)


def resident_entries(po_path: Path = JA_PO) -> list[polib.POEntry]:
    """The resident entries of a catalog with references (by default the Japanese one)."""
    return [
        entry
        for entry in polib.pofile(str(po_path))
        if entry.msgid and not entry.obsolete and is_resident(entry)
    ]


def resident_keys(po_path: Path = JA_PO) -> set[Key]:
    return {(entry.msgctxt, entry.msgid) for entry in resident_entries(po_path)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pot", type=Path, help="write the resident msgids to this .pot file")
    args = parser.parse_args()
    entries = resident_entries()
    if args.pot:
        pot = polib.POFile()
        pot.metadata = {
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
        }
        for entry in entries:
            pot.append(
                polib.POEntry(
                    msgctxt=entry.msgctxt,
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgstr_plural={0: "", 1: ""} if entry.msgid_plural else {},
                    occurrences=entry.occurrences,
                    flags=entry.flags,
                    comment=f"ja: {entry.msgstr or entry.msgstr_plural.get(0)}",
                )
            )
        pot.save(str(args.pot))
    print(f"{len(entries)} resident msgids")


if __name__ == "__main__":
    main()
