"""Who may download an issued document, and the snippets that list them."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.template import Context, Template

from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(resident, other_resident, staff_user, other_staff_user):
    return {"owner": resident, "other_resident": other_resident, "anonymous": None,
            "staff": staff_user, "other_staff": other_staff_user}


RESIDENT_URL = "/my/documents/{id}/download/"
STAFF_URL = "/staff/documents/{id}/download/"
CASES = [
    (RESIDENT_URL, "owner", 200),
    (RESIDENT_URL, "other_resident", 404),
    (RESIDENT_URL, "anonymous", 302),
    (RESIDENT_URL, "staff", 403),
    (STAFF_URL, "staff", 200),
    (STAFF_URL, "other_staff", 404),
    (STAFF_URL, "owner", 403),
    (STAFF_URL, "anonymous", 302),
]


@pytest.mark.parametrize(("template", "who", "status"), CASES)
def test_downloads(actors, issued, template, who, status):
    path = template.format(id=issued.public_id)
    response = client_for(actors[who]).get(path)
    assert response.status_code == status, (path, who)
    logged = AuditEvent.objects.filter(target_id=str(issued.public_id),
                                       action__startswith="document.download")
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        with issued.pdf.open("rb") as handle:
            assert b"".join(response.streaming_content) == handle.read()
        event = logged.get()
        assert event.actor == actors[who]
        assert event.action == ("document.download.resident" if template == RESIDENT_URL
                                else "document.download.staff")
    else:
        assert not logged.exists()
    if status == 302:
        login = "/account/login/" if template == RESIDENT_URL else "/staff/login/"
        assert response["Location"] == f"{login}?next={quote(path, safe='/')}"


def test_an_unknown_document_is_not_found(resident, staff_user):
    path = "00000000-0000-4000-8000-000000000000"
    assert client_for(resident).get(RESIDENT_URL.format(id=path)).status_code == 404
    assert client_for(staff_user).get(STAFF_URL.format(id=path)).status_code == 404


def test_the_dx_office_cannot_download(issued, staff_user):
    from madoguchi.staff.models import StaffMember

    StaffMember.objects.filter(user=staff_user).update(role=StaffMember.Role.DX)
    staff_user.refresh_from_db()
    response = client_for(staff_user).get(STAFF_URL.format(id=issued.public_id))
    assert response.status_code == 403


def _render(snippet: str, application) -> str:
    return Template("{% include '" + snippet + "' %}").render(Context({"application": application}))


def test_the_resident_snippet_lists_documents_with_download_links(issued, approved):
    html = _render("issuance/_resident_documents.html", approved)
    assert issued.number in html
    assert f"/my/documents/{issued.public_id}/download/" in html


def test_the_staff_snippet_lists_documents_and_their_state(issued, approved, staff_user):
    from madoguchi.issuance import services

    newer = services.issue(approved, "grant", staff_user, supersedes=issued)
    html = _render("issuance/_staff_documents.html", approved)
    assert f"/staff/documents/{issued.public_id}/download/" in html
    assert f"/verify/{newer.public_id}/" in html
    assert html.index(newer.number) < html.index(issued.number)


def test_the_resident_snippet_is_empty_without_documents(approved):
    assert "/my/documents/" not in _render("issuance/_resident_documents.html", approved)
