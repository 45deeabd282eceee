"""Issuing: numbers, storage, superseding, templates, audit and the resident's e-mail."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from madoguchi.applications import services as cases
from madoguchi.applications.models import Status
from madoguchi.applications.services import TransitionRefused
from madoguchi.core.models import AuditEvent, MailboxMessage
from madoguchi.issuance import services
from madoguchi.issuance.models import DocumentTemplate, IssuedDocument
from madoguchi.issuance.services import IssueRefused

from .pdftext import pdf_text

NUMBER_RE = re.compile(r"^緑ヶ丘市子第(\d{4})-(\d{6})号$")
pytestmark = pytest.mark.django_db


def test_issue_stores_a_signed_numbered_pdf(issued, approved, staff_user):
    year = timezone.localtime(issued.issued_at).year
    assert NUMBER_RE.match(issued.number), issued.number
    assert issued.number.startswith(f"緑ヶ丘市子第{year}-")
    assert issued.pdf.name == f"issued/{year}/{issued.public_id}.pdf"
    with default_storage.open(issued.pdf.name, "rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == issued.sha256
    assert issued.size == len(data)
    assert b"/ByteRange" in data
    text = pdf_text(data)
    assert issued.number in text
    assert "交付決定通知書（高校生等通学費補助金）" in text
    assert approved.receipt_number in text
    assert "緑ヶ丘県立緑ヶ丘高等学校" in text  # {{ answers.school_name }} in the default body
    assert "髙﨑 𠮷男" in text  # the applicant as typed (𠮷 in IPAmj明朝)
    assert f"https://madoguchi.example.jp/verify/{issued.public_id}/" in text
    assert issued.issued_by == staff_user
    assert issued.kind == "grant"


def test_sensitive_answers_never_reach_the_pdf(approved, staff_user):
    template = DocumentTemplate.objects.get(procedure=approved.procedure, kind="decision")
    template.body = "口座 {{ answers.payment_account }}"
    template.save()
    document = services.issue(approved, "decision", staff_user)
    text = pdf_text(document.pdf.open("rb").read())
    assert "口座 みずほ銀行" in text
    assert "＊＊＊＊543" in text
    assert "9876543" not in text
    assert "ﾊﾅｺ" not in text and "ハナコ" not in text


def test_issue_does_not_change_the_status(approved, staff_user):
    before = (approved.status, approved.events.count())
    services.issue(approved, "decision", staff_user)
    approved.refresh_from_db()
    assert (approved.status, approved.events.count()) == before


def test_issue_is_audit_logged_and_the_resident_is_told(approved, staff_user,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.issue(approved, "grant", staff_user)
    event = AuditEvent.objects.get(action="document.issue", target_id=str(issued.public_id))
    assert event.actor == staff_user
    assert event.details["number"] == issued.number
    mail = MailboxMessage.objects.filter(to=approved.contact_email).order_by("-id").first()
    assert mail is not None and issued.number in mail.subject
    assert f"/my/applications/{approved.public_id}/" in mail.body
    assert f"/verify/{issued.public_id}/" in mail.body
    name = approved.procedure.name["ja"]
    # 手続き「…」, never 「…の申請の申請」
    assert mail.body.startswith(f"手続き「{name}」について、文書を交付しました。")


def test_issuing_twice_gives_two_numbers_and_the_second_may_supersede(approved, staff_user):
    first = services.issue(approved, "grant", staff_user)
    second = services.issue(approved, "grant", staff_user)
    assert first.number != second.number
    assert (first.year, second.serial) == (second.year, first.serial + 1)
    assert first.superseded_by is None and second.superseded_by is None  # not asked
    third = services.issue(approved, "grant", staff_user, supersedes=second)
    second.refresh_from_db()
    assert second.superseded_by == third
    assert not second.is_current and third.is_current
    assert len({first.number, second.number, third.number}) == 3
    assert AuditEvent.objects.get(target_id=str(third.public_id)).details["supersedes"] == \
        second.number
    with pytest.raises(IssueRefused):
        services.issue(approved, "grant", staff_user, supersedes=second)  # already replaced


def test_numbers_stay_unique_over_many_issues(approved, staff_user):
    documents = [services.issue(approved, "decision", staff_user) for _ in range(5)]
    serials = [d.serial for d in documents]
    assert serials == list(range(serials[0], serials[0] + 5))
    assert len({d.number for d in documents}) == 5


def test_a_document_of_another_application_cannot_be_superseded(issued, make_application,
                                                                staff_user):
    other = make_application()
    with pytest.raises(IssueRefused):
        services.issue(other, "grant", staff_user, supersedes=issued)


def test_a_rejection_needs_a_reason_and_prints_it(approved, staff_user):
    with pytest.raises(IssueRefused):
        services.issue(approved, "rejection", staff_user)
    document = services.issue(approved, "rejection", staff_user,
                              reason="通学距離が要件（片道6km以上）を満たしていないため")
    text = pdf_text(document.pdf.open("rb").read())
    assert "通学距離が要件（片道6km以上）を満たしていないため" in text
    assert "審査請求" in text  # the notice on how to appeal (教示)


def test_an_unknown_kind_is_refused(approved, staff_user):
    with pytest.raises(IssueRefused):
        services.issue(approved, "certificate", staff_user)


def test_without_a_signing_key_nothing_is_written(approved, staff_user, settings, tmp_path):
    from madoguchi.issuance.signing import SigningUnavailable

    settings.SIGNING_PKCS12 = str(tmp_path / "missing.p12")
    with pytest.raises(SigningUnavailable):
        services.issue(approved, "grant", staff_user)
    assert not IssuedDocument.objects.filter(application=approved).exists()


def test_issued_documents_are_never_edited(issued):
    issued.title = "changed"
    with pytest.raises(ValueError, match="never edited"):
        issued.save()


def test_default_templates_exist_for_every_procedure_and_are_kept(demo):
    from madoguchi.catalog.models import Procedure

    for procedure in Procedure.objects.all():
        kinds = set(DocumentTemplate.objects.filter(procedure=procedure)
                    .values_list("kind", flat=True))
        assert kinds == {"decision", "grant", "rejection"}, procedure.slug
    template = DocumentTemplate.objects.get(procedure__slug="jido-teate", kind="grant")
    assert template.title["ja"] == "交付決定通知書（児童手当の認定請求）"
    template.body = "edited"
    template.save()
    assert services.ensure_default_templates() == 0
    template.refresh_from_db()
    assert template.body == "edited"


def test_documents_for_lists_newest_first(approved, staff_user):
    first = services.issue(approved, "decision", staff_user)
    second = services.issue(approved, "grant", staff_user, supersedes=first)
    assert list(services.documents_for(approved)) == [second, first]


def _decided(application, staff_user):
    cases.change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    cases.change_status(application=application, to_status=Status.APPROVED, actor=staff_user)
    return application


def test_issuing_for_a_case_marks_it_issued(application, staff_user):
    decided = _decided(application, staff_user)
    document = services.issue_for_case(decided, "decision", staff_user)
    decided.refresh_from_db()
    assert decided.status == Status.ISSUED
    assert list(IssuedDocument.objects.filter(application=decided)) == [document]


def test_issuing_for_a_case_is_all_or_nothing(application, staff_user, monkeypatch):
    """When the case cannot become 交付済, no document is issued either."""
    decided = _decided(application, staff_user)

    def refused(**kwargs):
        raise TransitionRefused("the status machine refuses")

    monkeypatch.setattr(services, "change_status", refused)
    with pytest.raises(IssueRefused):
        services.issue_for_case(decided, "decision", staff_user)
    assert not IssuedDocument.objects.filter(application=decided).exists()
    decided.refresh_from_db()
    assert decided.status == Status.APPROVED


def test_issuing_for_a_case_without_a_signing_key_is_refused(application, staff_user, settings,
                                                             tmp_path):
    decided = _decided(application, staff_user)
    settings.SIGNING_PKCS12 = str(tmp_path / "missing.p12")
    with pytest.raises(IssueRefused) as refused:
        services.issue_for_case(decided, "decision", staff_user)
    assert refused.value.user_message() == ""
    assert not IssuedDocument.objects.filter(application=decided).exists()
