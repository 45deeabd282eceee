"""Helpers for the tests of checkboxes, e-mail confirmation, date bounds, files and groups."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polib
from django.utils.translation import trans_real

# New messages wait in .i18n/*.po for their Japanese until they are merged into the catalog.
PENDING_DIR = Path(__file__).resolve().parents[4] / ".i18n"
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


@contextmanager
def pending_translations(language: str = "ja") -> Iterator[None]:
    """Add the translations of ``.i18n/*.po`` that the catalog lacks, for one test.

    Once the files are merged into the locale catalog (or removed) this changes nothing.
    """
    pending = sorted(PENDING_DIR.glob("*.po"))
    if not pending:
        yield
        return
    catalog = trans_real.translation(language)._catalog
    added: list[Any] = []
    for entry in (e for path in pending for e in polib.pofile(str(path))):
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        key: Any = (msgid, 0) if entry.msgid_plural else msgid
        text = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
        if text and key not in catalog:
            catalog[key] = text
            added.append(key)
    try:
        yield
    finally:
        for key in added:
            catalog._catalogs[0].pop(key, None)


def publish_form(slug: str, pages: list[dict[str, Any]], procedure_slug: str = "jido-teate"):
    """Publish a form made of ``pages`` for a demo procedure that has none (児童手当)."""
    from madoguchi.catalog.models import Procedure
    from madoguchi.forms.models import FormDefinition
    from madoguchi.forms.services import publish

    procedure = Procedure.objects.get(slug=procedure_slug)
    title = {"ja": "新しい項目の試験", "en": "Test of the new fields"}
    form = FormDefinition.objects.create(slug=slug, procedure=procedure, title=title,
                                         department=procedure.department)
    publish(form, {"title": title, "pages": pages})
    return form


def submit(client: Any, slug: str) -> Any:
    """Send the application from the check page; returns the check page's HTML and response."""
    from madoguchi.applications.models import Application

    check_url = f"/apply/{slug}/check/"
    html = client.get(check_url).content.decode()
    match = TOKEN_RE.search(html)
    assert match, "no token on the check page"
    response = client.post(check_url, {"token": match[1]})
    assert response.status_code == 302, response.status_code
    return Application.objects.filter(form_version__form__slug=slug).latest("pk")
