"""Helpers for the tests of checkboxes, e-mail confirmation, date bounds, files and groups."""

from __future__ import annotations

import re
from typing import Any

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def publish_form(slug: str, pages: list[dict[str, Any]], procedure_slug: str = "hoikusho"):
    """Publish a form made of ``pages`` for a demo procedure that has none (保育所)."""
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
