"""The back office made for all-day use: the inbox's deadline and waiting columns, the case's
neighbours within the inbox filter, attachments shown inline (safely) and the shortcut list."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.applications import selectors
from madoguchi.applications.inbox import InboxFilters, Timing, parse_filters, timing
from madoguchi.applications.models import Application, Status
from madoguchi.conftest import client_for
from madoguchi.staff.models import StaffMember

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
HEIC = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40


def case_url(application: Application, query: str = "") -> str:
    return f"/staff/applications/{application.public_id}/{query}"


@pytest.fixture
def cases(make_application) -> list[Application]:
    """Six cases a day apart, newest last; the 2nd and 5th are under review, the rest received."""
    now = timezone.now()
    made = []
    for n in range(6):
        application = make_application()
        status = Status.UNDER_REVIEW if n in (1, 4) else Status.RECEIVED
        moment = now - dt.timedelta(days=6 - n)
        Application.objects.filter(pk=application.pk).update(
            submitted_at=moment, updated_at=moment, status=status)
        application.refresh_from_db()
        made.append(application)
    return made


def neighbour_links(client, application: Application, query: str = "") -> dict[str, str]:
    response = client.get(case_url(application, query))
    assert response.status_code == 200
    around = response.context["neighbours"]
    return {"previous": around.previous and around.previous.receipt_number,
            "next": around.next and around.next.receipt_number,
            "html": response.content.decode()}


def test_neighbours_stay_within_the_filter_and_its_order(staff_user, cases):
    client = client_for(staff_user)
    received = [c for c in cases if c.status == Status.RECEIVED]  # oldest first
    # Newest first (the default): "next" is the older case below in the list.
    middle = received[2]
    found = neighbour_links(client, middle, "?status=received")
    assert found["previous"] == received[3].receipt_number
    assert found["next"] == received[1].receipt_number
    # The links keep the filter, so the clerk can go on through the same list.
    assert f'href="{case_url(received[1], "?status=received")}" rel="next"' in found["html"]
    assert 'href="/staff/?status=received"' in found["html"]
    # Oldest first reverses them; without a filter the cases under review come in between.
    found = neighbour_links(client, middle, "?status=received&sort=oldest")
    assert (found["previous"], found["next"]) == (received[1].receipt_number,
                                                  received[3].receipt_number)
    found = neighbour_links(client, middle)
    assert (found["previous"], found["next"]) == (cases[4].receipt_number,
                                                  cases[2].receipt_number)
    # The ends of the list have one neighbour.
    found = neighbour_links(client, received[0], "?status=received")
    assert found["next"] is None and found["previous"] == received[1].receipt_number
    assert 'rel="next"' not in found["html"]


def test_neighbours_read_one_row_each_way(staff_user, cases):
    staff = StaffMember.objects.get(user=staff_user)
    filters = parse_filters({"status": "received"}, procedures={}, assignable={},
                            user_id=staff_user.pk)
    with CaptureQueriesContext(connection) as queries:
        around = selectors.neighbours(staff, filters, cases[3])
    assert (around.previous, around.next) == (cases[5], cases[2])
    assert len(queries) == 2
    assert all("LIMIT 1" in q["sql"] for q in queries)


def test_neighbours_of_a_case_outside_the_filter_are_where_it_would_sit(staff_user, cases):
    staff = StaffMember.objects.get(user=staff_user)
    around = selectors.neighbours(staff, InboxFilters(status=Status.RECEIVED), cases[1])
    assert (around.previous, around.next) == (cases[2], cases[0])


def test_a_status_change_keeps_the_inbox_filter(staff_user, cases):
    client = client_for(staff_user)
    response = client.post(f"/staff/applications/{cases[0].public_id}/status/",
                           {"to_status": Status.UNDER_REVIEW, "back": "status=received"})
    assert response.status_code == 302
    assert response["Location"] == case_url(cases[0], "?status=received")
    response = client.post(f"/staff/applications/{cases[0].public_id}/assign/",
                           {"assignee": "me", "back": "status=nonsense&q=\x00"})
    assert response["Location"] == case_url(cases[0])


def test_inbox_shows_deadline_and_days_waiting(staff_user, make_application, settings):
    settings.MADOGUCHI_PROCESSING_DAYS = 14
    today = timezone.localdate()
    late, closed = make_application(), make_application()
    twenty_days_ago = timezone.now() - dt.timedelta(days=20)
    Application.objects.filter(pk=late.pk).update(submitted_at=twenty_days_ago)
    Application.objects.filter(pk=closed.pk).update(status=Status.APPROVED)
    late.refresh_from_db()
    closed.refresh_from_db()
    received = timezone.localtime(twenty_days_ago).date()
    assert timing(late, today) == Timing(received + dt.timedelta(days=14), 20, True)
    assert timing(closed, today) == Timing(None, None, False)
    html = client_for(staff_user).get("/staff/").content.decode()
    assert "期限" in html and "受付からの日数" in html
    assert "20日" in html and "（超過）" in html


def test_shortcuts_are_listed_and_the_keys_point_at_real_controls(staff_user, cases):
    client = client_for(staff_user)
    html = client.get(case_url(cases[2])).content.decode()
    assert 'id="shortcuts"' in html and "キーボードショートカット" in html
    for key in "jkusac":
        assert f"<kbd>{key}</kbd>" in html
        assert f'data-key="{key}"' in html
    assert "madoguchi/shortcuts.js" in html
    inbox = client.get("/staff/").content.decode()
    assert 'id="shortcuts"' in inbox and "data-row-link" in inbox and "<kbd>/</kbd>" in inbox


def stored(content: bytes, extension: str) -> dict[str, Any]:
    name = f"uploads/2026/11/{uuid.uuid4().hex}.{extension}"
    default_storage.save(name, ContentFile(content))
    types = {"png": "image/png", "pdf": "application/pdf", "heic": "image/heic"}
    return {"name": f"定期券.{extension}", "storage_name": name, "size": len(content),
            "content_type": types[extension], "sha256": "0" * 64}


def with_items(application: Application, items: list[dict[str, Any]]) -> Application:
    """The case with these files as its pass_copy answer (written as stored, not re-checked)."""
    Application.objects.filter(pk=application.pk).update(
        answers={**application.answers, "pass_copy": items})
    application.refresh_from_db()
    return application


@pytest.fixture
def with_files(make_application, settings, tmp_path) -> Application:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return with_items(make_application(),
                      [stored(PNG, "png"), stored(PDF, "pdf"), stored(HEIC, "heic")])


def file_url(application: Application, index: int, query: str = "") -> str:
    return f"/staff/applications/{application.public_id}/files/pass_copy/{index}/{query}"


def test_images_and_pdfs_are_shown_beside_the_answers(staff_user, with_files):
    html = client_for(staff_user).get(case_url(with_files)).content.decode()
    assert f'<img src="{file_url(with_files, 0)}?inline=1"' in html
    assert f'<iframe src="{file_url(with_files, 1)}?inline=1"' in html
    assert f'src="{file_url(with_files, 2)}' not in html  # HEIC: a download link only
    assert f'href="{file_url(with_files, 2)}"' in html
    assert "<object" not in html


@pytest.mark.parametrize(("index", "query", "content_type", "inline"), [
    (0, "?inline=1", "image/png", True),
    (1, "?inline=1", "application/pdf", True),
    (2, "?inline=1", "image/heic", False),  # browsers cannot show it: it downloads
    (0, "", "image/png", False),  # the plain link still downloads
    (1, "?inline=yes", "application/pdf", False),
])
def test_attachment_headers(staff_user, with_files, index, query, content_type, inline):
    response = client_for(staff_user).get(file_url(with_files, index, query))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; " if inline else "attachment; ")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [p.strip() for p in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_html_or_svg_is_never_inline_even_if_stored(staff_user, make_application, settings,
                                                    tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    svg = {**stored(b"<svg onload=alert(1)>", "png"), "content_type": "image/svg+xml"}
    html_item = {**stored(b"<script>alert(1)</script>", "pdf"), "content_type": "text/html"}
    application = with_items(make_application(), [svg, html_item])
    assert application.answers["pass_copy"][0]["content_type"] == "image/svg+xml"
    client = client_for(staff_user)
    page = client.get(case_url(application)).content.decode()
    assert f'href="{file_url(application, 0)}"' in page
    assert "?inline=1" not in page
    for index in (0, 1):
        assert client.get(file_url(application, index, "?inline=1")).status_code == 404


def test_another_department_still_cannot_open_the_case_or_its_files(other_staff_user,
                                                                   with_files):
    client = client_for(other_staff_user)
    assert client.get(case_url(with_files, "?status=received")).status_code == 404
    assert client.get(file_url(with_files, 0, "?inline=1")).status_code == 404
    assert client.get(file_url(with_files, 1)).status_code == 404
