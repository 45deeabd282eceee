"""Exports for the core systems: CSV (UTF-8 with BOM, CP932) and Excel, streamed and audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import uuid
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.db.models.query import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from madoguchi.applications import exports
from madoguchi.applications.models import Application, Status
from madoguchi.applications.services import all_answers, submit_application
from madoguchi.conftest import ACCOUNT_HOLDER, ACCOUNT_NUMBER, FORM_SLUG, client_for, valid_answers
from madoguchi.core import crypto
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import staff_email
from madoguchi.staff.models import Department, StaffMember

URL = "/staff/exports/"
LOG_URL = "/staff/exports/log/"
NAME_COLUMNS = ["applicant_name", "student_birth_date", "phone", "address", "route"]
FORM_ORDER = ["applicant_name", "phone", "address", "student_birth_date", "route"]  # columns


def staff_client(user: User) -> Client:
    """A signed-in staff client that has also passed the second sign-in step, where there is one."""
    client = client_for(user)
    try:
        from madoguchi.staff import services as staff_services
        from madoguchi.staff.models import StaffTOTP
    except ImportError:  # no two-factor sign-in in this build
        return client
    if not hasattr(staff_services, "SESSION_KEY"):
        return client
    totp = StaffTOTP.objects.filter(user=user).first()
    if totp is None:
        totp = StaffTOTP(user=user, confirmed_at=timezone.now())
        totp.set_secret("JBSWY3DPEHPK3PXP")
        totp.save()
    elif totp.confirmed_at is None:
        totp.confirmed_at = timezone.now()
        totp.save(update_fields=["confirmed_at"])
    session = client.session
    session[staff_services.SESSION_KEY] = {"user": user.pk, "totp": totp.pk,
                                           "at": int(time.time())}
    session.save()
    return client


def kosodate(username: str) -> User:
    return User.objects.get(email=staff_email(username))


def member_with_role(role: str) -> User:
    """A new member of 子育て支援課 (which handles the demo form) with ``role``."""
    user = User.objects.create_user(f"{role}-export@city.midorigaoka.example", "pw-export-2026",
                                    kind=User.Kind.STAFF)
    StaffMember.objects.create(user=user, department=Department.objects.get(code="kosodate"),
                               role=role, family_name="試験", given_name=role)
    return user


def post_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"procedure": FORM_SLUG, "columns": NAME_COLUMNS, "status": "",
                            "submitted_from": "", "submitted_to": "", "format": "csv_utf8"}
    data.update(overrides)
    return data


def download(client: Client, **overrides: Any) -> bytes:
    response = client.post(URL, post_data(**overrides))
    assert response.status_code == 200, response.status_code
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)
    assert isinstance(response, FileResponse)
    return b"".join(response.streaming_content)


def read_csv(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def last_export() -> AuditEvent:
    return AuditEvent.objects.filter(action="application.export").latest("pk")


@pytest.fixture
def clerk(staff_user) -> Client:
    return staff_client(staff_user)


# --- the page ---------------------------------------------------------------------------------
def test_the_page_offers_the_departments_procedures_and_their_fields(clerk, application):
    page = clerk.get(URL)
    assert page.status_code == 200
    assert f'value="{FORM_SLUG}"' in page.content.decode()
    html = clerk.get(URL, {"procedure": FORM_SLUG}).content.decode()
    assert 'name="columns" value="applicant_name"' in html
    assert 'name="columns" value="payment_account"' in html
    # Sensitive fields are not ticked unless chosen.
    assert 'value="payment_account" checked' not in html
    assert 'value="school_name" checked' in html


# --- formats ----------------------------------------------------------------------------------
def test_utf8_csv_has_a_bom_and_machine_readable_values(clerk, application):
    content = download(clerk)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(content.removeprefix(b"\xef\xbb\xbf"), "utf-8")
    assert len(rows[0]) == len(exports.FIXED_COLUMNS) + len(NAME_COLUMNS)
    row = dict(zip(["receipt", "status", "at", "applicant", *FORM_ORDER], rows[1], strict=True))
    assert row["receipt"] == application.receipt_number
    assert row["at"] == timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M:%S")
    assert row["applicant"] == "髙﨑 𠮷男"  # names as typed
    assert row["applicant_name"].startswith("髙﨑　𠮷男")
    assert row["student_birth_date"] == "2009-04-02"  # ISO, not 和暦
    assert row["phone"] == "09012345678"
    assert row["address"] == "9990101 緑ヶ丘県緑ヶ丘市北山1234番地5"
    assert content.count(b"\r\n") == 2  # CRLF lines, as Excel and core systems expect


def test_cp932_keeps_ibm_extensions_and_marks_what_it_cannot_hold(clerk, application):
    content = download(clerk, format="csv_cp932")
    assert not content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(content, "cp932")
    row = rows[1]
    assert "髙﨑" in row[3] and "〓男" in row[3] and "𠮷" not in row[3]
    assert "髙﨑" in row[4] and "〓男" in row[4]  # the name field, too
    assert "北山停留所～緑ヶ丘駅前" in row[8]  # the wave dash is CP932's, not replaced
    details = last_export().details
    assert details["format"] == "csv_cp932"
    assert details["replaced_count"] == 2
    assert {"receipt": application.receipt_number, "column": rows[0][3], "chars": "𠮷"} in \
        details["replaced"]
    assert {"receipt": application.receipt_number, "column": rows[0][4], "chars": "𠮷"} in \
        details["replaced"]
    # The log page shows the report, and the export page points to it.
    log = clerk.get(LOG_URL).content.decode()
    assert application.receipt_number in log and "𠮷" in log
    page = clerk.get(URL).content.decode()
    assert 'class="notice"' in page and LOG_URL in page


def test_xlsx_opens_and_holds_the_values_as_text(clerk, resident, form_version):
    answers = valid_answers()
    answers["school_name"] = "=HYPERLINK(\"http://evil.example\")"
    application = submit_application(user=resident, version=form_version, answers=answers,
                                     token=uuid.uuid4())
    content = download(clerk, format="xlsx", columns=["applicant_name", "school_name"])
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "髙﨑" in sheet and "𠮷男" in sheet  # Excel holds every character
    assert application.receipt_number in sheet
    assert "=HYPERLINK(" in sheet
    assert "<f>" not in sheet  # written as a string, never a formula
    assert last_export().details["rows"] == 1


# --- streaming --------------------------------------------------------------------------------
def copies(application: Application, count: int) -> None:
    """``count`` more applications like ``application`` (fast: no services, no mail)."""
    now = timezone.now()
    base = Application.objects.get(pk=application.pk)
    account = all_answers(base)["payment_account"]
    rows = []
    for number in range(count):
        public_id = uuid.uuid4()
        rows.append(Application(
            public_id=public_id, receipt_number=f"T{number:08d}", submission_token=uuid.uuid4(),
            form_version_id=base.form_version_id, procedure_id=base.procedure_id,
            department_id=base.department_id, applicant_id=base.applicant_id,
            applicant_name=base.applicant_name, applicant_name_key=base.applicant_name_key,
            contact_email=base.contact_email, answers=base.answers,
            sealed_answers=crypto.seal(
                {"payment_account": {**account, "number": f"{number:07d}"}},
                context=str(public_id)),
            submitted_at=now + dt.timedelta(seconds=number), updated_at=now,
        ))
    Application.objects.bulk_create(rows, batch_size=500)


def test_csv_is_streamed_in_chunks_and_audited_when_it_ends(clerk, application, monkeypatch):
    copies(application, 2500)
    chunk_sizes: list[int | None] = []
    original_iterator = QuerySet.iterator

    def spy_iterator(self: QuerySet, chunk_size: int | None = None) -> Any:
        chunk_sizes.append(chunk_size)
        return original_iterator(self, chunk_size=chunk_size)

    def no_list(self: QuerySet) -> None:
        if self.model is Application:
            raise AssertionError("the export loaded all applications into a list")
        return original_fetch_all(self)

    original_fetch_all = QuerySet._fetch_all
    before = AuditEvent.objects.filter(action="application.export").count()
    response = clerk.post(URL, post_data(columns=["school_name", "payment_account"]))
    assert isinstance(response, StreamingHttpResponse)
    # Nothing is read or recorded before the body is sent.
    assert AuditEvent.objects.filter(action="application.export").count() == before
    monkeypatch.setattr(QuerySet, "iterator", spy_iterator)
    monkeypatch.setattr(QuerySet, "_fetch_all", no_list)
    chunks = list(response.streaming_content)
    monkeypatch.undo()
    assert chunk_sizes == [exports.CHUNK_SIZE]
    assert len(chunks) > 3  # sent while read, not as one body
    rows = read_csv(b"".join(chunks).removeprefix(b"\xef\xbb\xbf"), "utf-8")
    assert len(rows) == 2502
    assert " 0002499 " in rows[-1][-1]  # decrypted row by row for a clerk
    event = last_export()
    assert event.details["rows"] == 2501 and event.details["completed"] is True
    assert event.details["decrypted"] is True
    assert event.target_type == "department"


def test_an_interrupted_download_is_audited_as_incomplete(clerk, application, monkeypatch):
    copies(application, 1200)
    response = clerk.post(URL, post_data())
    stream = iter(response.streaming_content)
    next(stream)
    next(stream)
    # The client went away: the server closes the response, which ends the request (the test
    # keeps its database connection, which would be closed then).
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
    response.close()
    details = last_export().details
    assert details["completed"] is False
    assert 0 < details["rows"] < 1201


# --- who sees what ----------------------------------------------------------------------------
def test_sensitive_fields_are_decrypted_for_a_clerk(clerk, application):
    rows = read_csv(download(clerk, columns=["payment_account"]).removeprefix(b"\xef\xbb\xbf"),
                    "utf-8")
    assert rows[1][-1] == f"みずほ銀行 東京営業部 普通 {ACCOUNT_NUMBER} {ACCOUNT_HOLDER}"
    assert last_export().details["masked"] is False


@pytest.mark.parametrize("role", ["admin"])
def test_sensitive_fields_are_masked_without_decrypting_for_other_roles(
    role, application, monkeypatch
):
    client = staff_client(member_with_role(role))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("decrypted for a role that may not see sensitive answers")

    monkeypatch.setattr(crypto, "unseal", refuse)
    content = download(client, columns=["payment_account", "school_name"])
    assert ACCOUNT_NUMBER.encode() not in content
    rows = read_csv(content.removeprefix(b"\xef\xbb\xbf"), "utf-8")
    # In the form's order: school, then the bank account.
    assert rows[1][-2:] == ["緑ヶ丘県立緑ヶ丘高等学校", exports.MASKED]
    assert last_export().details["masked"] is True


def test_the_dx_office_cannot_export(application):
    client = staff_client(member_with_role(StaffMember.Role.DX))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"procedure": FORM_SLUG}).status_code == 403
    assert client.post(URL, post_data()).status_code == 403
    assert client.get(LOG_URL).status_code == 403
    assert not AuditEvent.objects.filter(action="application.export").exists()


def test_another_departments_procedure_is_not_found(other_staff_user, application):
    client = staff_client(other_staff_user)
    assert client.get(URL, {"procedure": FORM_SLUG}).status_code == 404
    assert client.post(URL, post_data()).status_code == 404
    assert FORM_SLUG not in client.get(URL).content.decode()


def test_residents_and_visitors_cannot_export(resident_client, application):
    assert resident_client.post(URL, post_data()).status_code == 403
    assert Client().post(URL, post_data()).status_code == 302


# --- filters and hostile input ----------------------------------------------------------------
def test_status_and_date_filters(clerk, make_application, staff_user):
    from madoguchi.applications.services import change_status

    first, second = make_application(), make_application()
    change_status(application=second, to_status=Status.UNDER_REVIEW, actor=staff_user)
    rows = read_csv(download(clerk, status=Status.UNDER_REVIEW).removeprefix(b"\xef\xbb\xbf"),
                    "utf-8")
    assert [r[0] for r in rows[1:]] == [second.receipt_number]
    today = timezone.localdate()
    rows = read_csv(download(clerk, submitted_from=str(today), submitted_to=str(today))
                    .removeprefix(b"\xef\xbb\xbf"), "utf-8")
    assert [r[0] for r in rows[1:]] == [first.receipt_number, second.receipt_number]
    tomorrow = today + dt.timedelta(days=1)
    rows = read_csv(download(clerk, submitted_from=str(tomorrow)).removeprefix(b"\xef\xbb\xbf"),
                    "utf-8")
    assert rows[1:] == []


def test_formula_injection_is_neutralised_in_csv(clerk, resident, form_version):
    answers = valid_answers()
    answers["school_name"] = "=cmd|' /C calc'!A0"
    answers["route"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    answers["applicant_name"] = {**answers["applicant_name"], "family": "+髙﨑"}
    submit_application(user=resident, version=form_version, answers=answers, token=uuid.uuid4())
    for fmt, encoding in (("csv_utf8", "utf-8-sig"), ("csv_cp932", "cp932")):
        rows = read_csv(download(clerk, format=fmt, columns=["school_name", "route"]), encoding)
        assert rows[1][-2] == "'=cmd|' /C calc'!A0"
        assert rows[1][-1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
        assert rows[1][3].startswith("'+")


HOSTILE_POSTS = [
    {"columns": ["no_such_field"]},
    {"columns": ["applicant_name\x00"]},
    {"columns": "\x00"},
    {"submitted_from": "2026-02-30"},
    {"submitted_from": "\x00"},
    {"submitted_to": "9" * 500},
    {"submitted_from": "0001-01-01"},
    {"submitted_to": "9999-12-31"},
    {"submitted_from": "2026-05-01", "submitted_to": "2026-04-01"},
    {"status": "\x00"},
    {"status": "nope"},
    {"format": "pdf"},
    {"format": ""},
    {"format": "\x00csv_utf8"},
]


@pytest.mark.parametrize("overrides", HOSTILE_POSTS)
def test_hostile_posts_get_the_form_back_with_a_message(clerk, application, overrides):
    response = clerk.post(URL, post_data(**overrides))
    assert response.status_code == 200
    assert not isinstance(response, StreamingHttpResponse | FileResponse)
    assert 'class="error-summary"' in response.content.decode()


@pytest.mark.parametrize("procedure", ["\x00", "tsugaku-hojo\x00", "../etc", "x" * 300,
                                       "no-such-procedure"])
def test_hostile_procedure_is_not_found(clerk, procedure):
    assert clerk.post(URL, post_data(procedure=procedure)).status_code == 404
    assert clerk.get(URL, {"procedure": procedure}).status_code == 404


def test_wareki_dates_are_accepted(clerk, application):
    today = timezone.localdate()
    response = clerk.post(URL, post_data(submitted_from=f"令和{today.year - 2018}年1月1日"))
    assert isinstance(response, StreamingHttpResponse)
    assert b"".join(response.streaming_content)


# --- the pieces -------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected", "replaced"), [
    ("髙﨑", "髙﨑", []),
    ("①㈱Ⅰ", "①㈱Ⅰ", []),
    ("𠮷田", "〓田", ["𠮷"]),
    ("葛\U000e0100飾", "〓飾", ["葛\U000e0100"]),  # a variation-selector 異体字: one mark
    ("👍🏽OK", "〓OK", ["👍🏽"]),
    ("👨\u200d👩\u200d👧", "〓", ["👨\u200d👩\u200d👧"]),
    ("〜−", "～－", []),  # JIS code points written as CP932's
    ("\u2014", "\u2015", []),
])
def test_to_cp932(text, expected, replaced):
    assert exports.to_cp932(text) == (expected, replaced)
    expected.encode("cp932")


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+1", "'=1+1"), ("+81", "'+81"), ("-2+3", "'-2+3"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("-12", "-12"), ("-1.5", "-1.5"), ("a=b", "a=b"), ("", ""),
])
def test_neutralise_formula(text, expected):
    assert exports.neutralise_formula(text) == expected


def test_report_is_capped_but_counted():
    result = exports.ExportResult()
    for number in range(exports.REPORT_CAP + 50):
        result.add_replacement(f"R{number}", "name", ["𠮷", "𠮷"])
    assert len(result.replaced) == exports.REPORT_CAP
    assert result.replaced_count == exports.REPORT_CAP + 50
    assert result.replaced[0] == {"receipt": "R0", "column": "name", "chars": "𠮷"}
