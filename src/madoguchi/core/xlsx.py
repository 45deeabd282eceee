"""Defensive reading of uploaded Excel workbooks (.xlsx): the checks every import shares.

Before openpyxl parses anything, :func:`check_container` refuses what is no plain .xlsx: another
file type, a workbook with macros (.xlsm, a VBA project or ActiveX controls hidden inside a
.xlsx), a file over the size cap, or a zip that unpacks to more than the unzipped cap (a zip
bomb). :func:`is_formula` tells a formula cell, which an import never evaluates or stores.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any

from django.utils.translation import gettext as _

MACRO_MARKERS = ("vbaProject", "macroEnabled", "activeX")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb")


class WorkbookRefused(Exception):
    """The file as a whole cannot be read (not .xlsx, macros, too big); the message says why."""


def macros_message() -> str:
    return _(
        "Workbooks with macros cannot be imported. Save the file as an Excel workbook (.xlsx)."
    )


def not_a_workbook_message() -> str:
    return _("This file is not an Excel workbook (.xlsx).")


def check_container(
    name: str,
    data: IO[bytes],
    size: int | None,
    *,
    max_bytes: int,
    max_unzipped_bytes: int,
    too_big: str,
    too_big_unzipped: str,
) -> None:
    """Refuse what is no plain .xlsx before openpyxl reads it (raises :class:`WorkbookRefused`).

    ``too_big`` and ``too_big_unzipped`` are the messages for a file over ``max_bytes`` and for
    one whose parts add up to more than ``max_unzipped_bytes`` once unpacked. ``data`` is left
    at its start.
    """
    lowered = name.lower()
    if not lowered.endswith(".xlsx"):
        if lowered.endswith(MACRO_SUFFIXES):
            raise WorkbookRefused(macros_message())
        raise WorkbookRefused(_("Choose an Excel workbook (.xlsx)."))
    if size is None or size > max_bytes:
        raise WorkbookRefused(too_big)
    data.seek(0)
    if not zipfile.is_zipfile(data):
        raise WorkbookRefused(not_a_workbook_message())
    data.seek(0)
    try:
        with zipfile.ZipFile(data) as archive:
            members = archive.infolist()
            content_types = (
                archive.read("[Content_Types].xml")
                if any(m.filename == "[Content_Types].xml" for m in members)
                else b""
            )
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise WorkbookRefused(not_a_workbook_message()) from exc
    if not content_types:
        raise WorkbookRefused(not_a_workbook_message())
    text = content_types.decode("utf-8", "replace")
    if any(marker in m.filename for m in members for marker in MACRO_MARKERS) or any(
        marker in text for marker in MACRO_MARKERS
    ):
        raise WorkbookRefused(macros_message())
    if sum(m.file_size for m in members) > max_unzipped_bytes:
        raise WorkbookRefused(too_big_unzipped)
    data.seek(0)


def is_formula(cell: Any) -> bool:
    """True for a formula cell, or a text that a spreadsheet would run as one (``=...``)."""
    value = getattr(cell, "value", None)
    return getattr(cell, "data_type", None) == "f" or (
        isinstance(value, str) and value.startswith("=")
    )
