"""The public verification page: what it shows, and its verdict on uploaded files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.generic import pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from madoguchi.conftest import visible_text
from madoguchi.issuance import pdf, services, signing
from madoguchi.issuance.verify import MAX_UPLOAD_BYTES, Verdict, verify_upload

from .test_pdf import NOTICE

pytestmark = pytest.mark.django_db


def url(document) -> str:
    return f"/verify/{document.public_id}/"


def pdf_bytes(document) -> bytes:
    with document.pdf.open("rb") as handle:
        return handle.read()


def upload(document, data: bytes, name: str = "notice.pdf"):
    return Client().post(url(document), {"file": SimpleUploadedFile(name, data, "application/pdf")})


def says(response, verdict: Verdict, document) -> bool:
    from madoguchi.issuance.verify import VerificationResult

    with translation.override("ja"):
        expected = VerificationResult(verdict, "").message("緑ヶ丘市", document.number)
    return expected in visible_text(response.content)


def tamper(data: bytes) -> bytes:
    """Change one byte inside the first page's content stream (the signed range)."""
    at = data.index(b"stream", data.index(b"/Length")) + 40
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_the_page_shows_the_document_without_personal_data(issued, approved):
    response = Client().get(url(issued))
    assert response.status_code == 200
    text = visible_text(response.content)
    with translation.override("ja"):
        kind = issued.get_kind_display()
    for expected in (issued.number, kind, "高校生等通学費補助金", "子育て支援課", "緑ヶ丘市"):
        assert expected in text, expected
    assert issued.sha256 in response.content.decode().replace("<wbr>", "")
    for personal in ("髙﨑", "𠮷男", approved.contact_email, approved.receipt_number):
        assert personal not in text
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_an_unknown_document_is_not_found(db):
    assert Client().get("/verify/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_the_issued_file_is_genuine(issued):
    response = upload(issued, pdf_bytes(issued))
    assert response.status_code == 200
    assert says(response, Verdict.VALID, issued)


def test_one_changed_byte_is_tampering(issued):
    response = upload(issued, tamper(pdf_bytes(issued)))
    assert response.status_code == 200
    assert says(response, Verdict.TAMPERED, issued)
    assert not says(response, Verdict.VALID, issued)


def test_another_genuine_document_is_a_different_file(issued, approved, staff_user):
    other = services.issue(approved, "decision", staff_user)
    response = upload(issued, pdf_bytes(other))
    assert says(response, Verdict.DIFFERENT, issued)


def test_a_signature_by_someone_else_is_an_unknown_signer(issued, stranger_p12):
    forged = signing.sign_pdf(pdf.render_pdf(NOTICE), reason="x", location="y",
                              identity=signing.load_identity(stranger_p12, ""))
    assert says(upload(issued, forged), Verdict.UNKNOWN_SIGNER, issued)


def test_an_unsigned_pdf(issued):
    assert says(upload(issued, pdf.render_pdf(NOTICE)), Verdict.UNSIGNED, issued)


def test_content_added_after_signing(issued):
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes(issued)))
    writer.root["/Lang"] = pdf_string("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert says(upload(issued, out.getvalue()), Verdict.MODIFIED, issued)


@pytest.mark.parametrize(("data", "verdict"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, Verdict.NOT_PDF),
    ("申請書です".encode(), Verdict.NOT_PDF),
    (b"%PDF-1.7\n" + b"\xff" * 500, Verdict.UNREADABLE),
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
     Verdict.UNREADABLE),
])
def test_garbage_gets_a_clear_message(issued, data, verdict):
    response = upload(issued, data)
    assert response.status_code == 200
    assert says(response, verdict, issued) or says(response, Verdict.UNSIGNED, issued)


def test_a_truncated_pdf_is_not_accepted(issued):
    data = pdf_bytes(issued)
    response = upload(issued, data[: len(data) // 2])
    assert response.status_code == 200
    assert not says(response, Verdict.VALID, issued)


def test_no_file_or_an_empty_file_is_a_form_error(issued):
    response = Client().post(url(issued), {})
    assert response.status_code == 422
    assert "<title>" in response.content.decode()
    response = upload(issued, b"")
    assert response.status_code == 422


def test_a_file_over_10_mb_is_refused_unread(issued):
    response = upload(issued, b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES)
    assert response.status_code == 422
    with translation.override("ja"):
        message = translation.gettext(
            "The file is larger than 10 MB. Choose the PDF of the document.")
    assert message in visible_text(response.content)


def test_the_page_says_when_a_document_was_replaced(issued, approved, staff_user):
    newer = services.issue(approved, "grant", staff_user, supersedes=issued)
    response = Client().get(url(issued))
    assert newer.number in visible_text(response.content)
    assert url(newer) in response.content.decode()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), min_size=1,
                      max_size=4))
def test_changed_bytes_are_never_genuine_and_never_crash(issued, signing_dir, edits):
    original = pdf_bytes(issued)
    roots = list(signing.load_identity(signing_dir / "city.p12", "").trust_roots)
    data = bytearray(original)
    for position, flip in edits:
        data[position % len(data)] ^= flip
    assume(bytes(data) != original)
    result = verify_upload(issued, bytes(data), trust_roots=roots)
    assert result.verdict != Verdict.VALID


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), header=st.booleans())
def test_random_bytes_never_crash(issued, signing_dir, data, header):
    roots = list(signing.load_identity(signing_dir / "city.p12", "").trust_roots)
    result = verify_upload(issued, (b"%PDF-1.7\n" if header else b"") + data, trust_roots=roots)
    assert result.verdict in {Verdict.NOT_PDF, Verdict.UNREADABLE, Verdict.UNSIGNED}


def test_the_verdict_is_said_in_japanese(issued):
    text = visible_text(upload(issued, pdf_bytes(issued)).content)
    assert "この文書は緑ヶ丘市が発行したもので、改ざんされていません" in text
    text = visible_text(upload(issued, tamper(pdf_bytes(issued))).content)
    assert "改ざんされています" in text
    assert "この文書は緑ヶ丘市が発行したもので、改ざんされていません" not in text


def test_the_pdf_is_in_japanese(issued):
    from .pdftext import pdf_text

    text = pdf_text(pdf_bytes(issued))
    for expected in ("髙﨑 𠮷男　様", "緑ヶ丘市長", f"文書番号　{issued.number}",
                     "この文書には緑ヶ丘市の電子署名が付いています。", "（担当）子育て支援課"):
        assert expected in text, expected


def test_checking_files_is_limited_per_client_address(issued, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": "2/0/600"}
    data = pdf_bytes(issued)
    assert [upload(issued, data).status_code for _ in range(2)] == [200, 200]
    response = upload(issued, data)
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 600
    assert "短い間に多くのファイル" in visible_text(response.content)
    assert Client().get(url(issued)).status_code == 200  # looking at the page stays free
