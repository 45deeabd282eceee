"""保存年限: the daily run deletes expired cases with everything that belongs to them, spares
legal holds and open cases, keeps anonymised counts, and purges drafts, bookings, audit events.
Time travel: the run is given a later ``now``."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from madoguchi.applications import retention as cases
from madoguchi.applications.models import (
    Application,
    CorrectionRequest,
    Draft,
    InternalComment,
    StatusEvent,
)
from madoguchi.approvals.models import ApprovalRequest, Decision
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent
from madoguchi.issuance import services as issuance
from madoguchi.issuance.models import IssuedDocument
from madoguchi.issuance.signing import create_demo_ca
from madoguchi.reservations.models import Booking, Room, Service, Slot, Venue
from madoguchi.retention import services
from madoguchi.retention.models import Tally
from madoguchi.staff.models import Department
from madoguchi.staff.tests.helpers import member, staff_login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TOKYO = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture(scope="module")
def signing_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("signing")
    create_demo_ca(directory)
    return directory


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path, signing_dir: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIGNING_PKCS12 = str(signing_dir / "city.p12")
    settings.SIGNING_PKCS12_PASSWORD = ""
    settings.SITE_URL = "https://madoguchi.example.jp"


def decided(application: Application, staff_user, at: dt.datetime) -> Application:
    """Approve the case at ``at``, with an attachment, a comment, a correction round, an
    approval request with its decision and an issued notice (a re-issue superseding it)."""
    name = default_storage.save(f"uploads/2020/05/{uuid.uuid4().hex}.png", ContentFile(PNG))
    old = default_storage.save(f"uploads/2020/05/{uuid.uuid4().hex}.png", ContentFile(PNG))
    item = {"name": "定期券.png", "storage_name": name, "size": len(PNG),
            "content_type": "image/png", "sha256": "0" * 64}
    Application.objects.filter(pk=application.pk).update(
        answers={**application.answers, "pass_copy": [item]})
    CorrectionRequest.objects.create(application=application, round=1, fields=["pass_copy"],
                                     message="x", requested_by=staff_user,
                                     changes=[{"key": "pass_copy", "old": [{**item,
                                               "storage_name": old}]}])
    InternalComment.objects.create(application=application, author=staff_user, text="確認済み")
    request = ApprovalRequest.objects.create(application=application, proposal="approve",
                                             summary="x", steps=[], drafted_by=staff_user,
                                             state="approved")
    Decision.objects.create(request=request, step=0, kind="approve", decided_by=staff_user)
    StatusEvent.objects.create(application=application, from_status="received",
                               to_status="approved", actor=staff_user, at=at)
    Application.objects.filter(pk=application.pk).update(status="approved")
    application.refresh_from_db()
    first = issuance.issue(application, "grant", staff_user)
    issuance.issue(application, "grant", staff_user, supersedes=first, reason="再交付")
    return application


def test_the_period_counts_from_april_after_the_fiscal_year_of_the_decision():
    assert cases.kept_until(dt.datetime(2026, 7, 1, tzinfo=TOKYO), 5) == dt.datetime(
        2032, 4, 1, tzinfo=TOKYO)
    assert cases.kept_until(dt.datetime(2027, 3, 31, 23, 0, tzinfo=TOKYO), 5) == dt.datetime(
        2032, 4, 1, tzinfo=TOKYO)
    assert cases.kept_until(dt.datetime(2027, 4, 1, 0, 30, tzinfo=TOKYO), 1) == dt.datetime(
        2029, 4, 1, tzinfo=TOKYO)


def test_an_expired_case_goes_with_everything_of_it_and_a_held_one_stays(
        make_application, staff_user, procedure, django_capture_on_commit_callbacks):
    decided_at = dt.datetime(2020, 6, 15, 10, tzinfo=TOKYO)  # FY2020: kept until 2026-04-01
    expired = decided(make_application(), staff_user, decided_at)
    held = decided(make_application(), staff_user, decided_at)
    open_case = make_application()  # never decided: never expires
    StatusEvent.objects.filter(application=open_case).update(at=decided_at)
    cases.place_hold(held, actor=staff_user, reason="損害賠償請求訴訟 令和8年(ワ)第12号")
    files = cases.stored_files(expired.answers) | {
        d.pdf.name for d in IssuedDocument.objects.filter(application=expired)}
    files |= cases.stored_files(list(CorrectionRequest.objects.filter(
        application=expired).values_list("changes", flat=True)))
    assert len(files) == 4 and all(default_storage.exists(name) for name in files)

    # The day before the period ends nothing goes; on 2026-04-01 the expired case does.
    report = services.run(dt.datetime(2026, 3, 31, 23, tzinfo=TOKYO))
    assert report.applications == 0
    with django_capture_on_commit_callbacks(execute=True):
        report = services.run(dt.datetime(2026, 4, 1, 0, 1, tzinfo=TOKYO))
    assert report.applications == 1 and report.files == 4 and report.held == 1
    assert not Application.objects.filter(pk=expired.pk).exists()
    for model in (StatusEvent, CorrectionRequest, InternalComment, ApprovalRequest,
                  IssuedDocument):
        assert not model.objects.filter(application_id=expired.pk).exists(), model
    assert not any(default_storage.exists(name) for name in files)
    assert Application.objects.filter(pk__in=[held.pk, open_case.pk]).count() == 2
    assert IssuedDocument.objects.filter(application=held).count() == 2

    tally = Tally.objects.get(kind="application", subject=procedure.slug)
    assert (tally.month, tally.deleted) == (dt.date(2020, 6, 1), 1)
    event = AuditEvent.objects.get(action="retention.deleted", target_id=str(expired.public_id))
    text = json.dumps(event.details, ensure_ascii=False)
    assert event.details["why"] == "retention period ended"
    for personal in (expired.applicant_name, expired.contact_email, expired.receipt_number,
                     "髙﨑", "たかさき"):
        assert personal not in text

    # Lifting the hold lets the next run delete it; the tally adds up.
    cases.lift_hold(held)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run(dt.datetime(2026, 4, 2, tzinfo=TOKYO)).applications == 1
    assert not Application.objects.filter(pk=held.pk).exists()
    assert Tally.objects.get(kind="application", subject=procedure.slug).deleted == 2


def test_a_longer_period_keeps_the_case(make_application, staff_user, procedure):
    case = decided(make_application(), staff_user, dt.datetime(2020, 6, 15, tzinfo=TOKYO))
    Procedure.objects.filter(pk=procedure.pk).update(retention_years=10)
    assert services.run(dt.datetime(2030, 3, 31, tzinfo=TOKYO)).applications == 0
    assert Application.objects.filter(pk=case.pk).exists()
    assert services.run(dt.datetime(2031, 4, 1, tzinfo=TOKYO)).applications == 1


def test_drafts_bookings_and_old_audit_events_have_their_own_periods(
        settings, form_version, resident, other_resident):
    now = timezone.now()
    Draft.objects.create(form=form_version.form, version=form_version, owner=resident,
                         expires_at=now - dt.timedelta(days=1))
    kept_draft = Draft.objects.create(form=form_version.form, version=form_version,
                                      owner=other_resident,
                                      expires_at=now + dt.timedelta(days=1))
    department = Department.objects.get(code="kosodate")
    venue = Venue.objects.create(code="ret-hall", department=department, name={"ja": "会場"})
    room = Room.objects.create(venue=venue, name={"ja": "相談室"})
    service = Service.objects.create(code="ret-soudan", department=department,
                                     name={"ja": "相談"}, duration_minutes=30, capacity=2)
    old_start = now - dt.timedelta(days=settings.BOOKING_RETENTION_DAYS + 10)
    recent_start = now - dt.timedelta(days=3)
    bookings = []
    for start in (old_start, recent_start):
        slot = Slot.objects.create(service=service, room=room, starts_at=start,
                                   ends_at=start + dt.timedelta(minutes=30), capacity=2)
        bookings.append(Booking.objects.create(
            slot=slot, service=service, family_name="山田", given_name="花子",
            phone="0312345678", email="hanako@example.jp", request_token=uuid.uuid4().hex))
    ancient = AuditEvent.objects.create(actor_label="x", action="application.view.staff",
                                        at=now - dt.timedelta(days=366 * 8))
    recent = AuditEvent.objects.create(actor_label="x", action="application.view.staff",
                                       at=now - dt.timedelta(days=366 * 6))

    report = services.run(now)
    assert report.drafts == 1 and report.bookings == 1 and report.audit_events == 1
    assert list(Draft.objects.filter(owner__in=[resident, other_resident])) == [kept_draft]
    assert list(Booking.objects.filter(service=service)) == [bookings[1]]
    local = timezone.localtime(old_start)
    assert Tally.objects.get(kind="booking", subject="ret-soudan").month == dt.date(
        local.year, local.month, 1)
    assert not AuditEvent.objects.filter(pk=ancient.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert AuditEvent.objects.filter(action="audit.purged").exists()
    assert AuditEvent.objects.get(action="retention.run").details["bookings"] == 1


def test_a_department_head_places_and_lifts_a_hold_audited(application):
    head = staff_login(Client(), member("head", "kosodate"))
    url = f"/staff/applications/{application.public_id}/legal-hold/"
    response = head.post(url, {"action": "place", "reason": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.legal_hold_reason == ""
    head.post(url, {"action": "place", "reason": "監査請求"})
    application.refresh_from_db()
    assert application.legal_hold_reason == "監査請求" and application.legal_hold_since
    page = head.get(f"/staff/applications/{application.public_id}/")
    assert "監査請求" in page.content.decode()
    head.post(url, {"action": "lift", "reason": "請求が取り下げられた"})
    application.refresh_from_db()
    assert application.legal_hold_reason == ""
    actions = list(AuditEvent.objects.filter(target_id=str(application.public_id),
                                             action__startswith="application.legal_hold")
                   .order_by("at", "id").values_list("action", "details"))
    assert actions == [("application.legal_hold.place", {"reason": "監査請求"}),
                       ("application.legal_hold.lift", {"reason": "請求が取り下げられた"})]


def test_a_clerk_may_not_place_a_hold(application, staff_user):
    response = client_for(staff_user).post(
        f"/staff/applications/{application.public_id}/legal-hold/",
        {"action": "place", "reason": "x"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.legal_hold_reason == ""


def test_an_administrator_sets_the_period(procedure):
    admin = staff_login(Client(), member("admin", "kosodate"))
    url = "/staff/procedures/tsugaku-hojo/retention/"
    assert "保存年限" in admin.get(url).content.decode()
    bad = admin.post(url, {"years": "百"})
    assert bad.status_code == 422 and "1" in bad.content.decode()
    assert admin.post(url, {"years": "31"}).status_code == 422
    assert admin.post(url, {"years": "１０"}).status_code == 302
    procedure.refresh_from_db()
    assert procedure.retention_years == 10
    event = AuditEvent.objects.get(action="procedure.retention", target_id="tsugaku-hojo")
    assert event.details == {"from": 5, "to": 10}
    assert "10" in admin.get("/staff/retention/").content.decode()


def test_the_command_runs_the_deletion(make_application, staff_user):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("run_retention", stdout=out)
    assert "deleted 0 applications" in out.getvalue()
    assert AuditEvent.objects.filter(action="retention.run").exists()


def _upload(label: str) -> dict:
    name = default_storage.save(f"uploads/2026/01/{uuid.uuid4().hex}.png", ContentFile(PNG))
    return {"name": f"{label}.png", "storage_name": name, "size": len(PNG),
            "content_type": "image/png", "sha256": "0" * 64}


def test_expired_and_deleted_drafts_take_their_files_from_storage(
        form_version, resident, other_resident, make_application,
        django_capture_on_commit_callbacks):
    from django.core import signing

    from madoguchi.applications import drafts
    from madoguchi.core import crypto

    now = timezone.now()
    accepted, pending, sealed, shared, live = (_upload(n) for n in (
        "accepted", "pending", "sealed", "shared", "live"))
    expired = Draft.objects.create(
        form=form_version.form, version=form_version, owner=None,
        expires_at=now - dt.timedelta(days=1), answers={"pass_copy": [accepted]},
        raw={"receipt": {"files": [{"ref": signing.dumps(
            pending, salt="madoguchi.forms.upload:receipt", compress=True), "name": "p.png",
            "size": 1}], "rejected": []}})
    expired.sealed = crypto.seal({"raw": {}, "answers": {"card": [sealed]}},
                                 context=str(expired.public_id))
    expired.save()
    # A reference presented again in another draft that became an application: it stays.
    Draft.objects.create(form=form_version.form, version=form_version, owner=resident,
                         expires_at=now - dt.timedelta(days=1), answers={"pass_copy": [shared]})
    application = make_application()
    Application.objects.filter(pk=application.pk).update(
        answers={**application.answers, "pass_copy": [shared]})
    kept = Draft.objects.create(form=form_version.form, version=form_version,
                                owner=other_resident, expires_at=now + dt.timedelta(days=1),
                                answers={"pass_copy": [live]})
    assert drafts.attached_files(expired) == {
        accepted["storage_name"], pending["storage_name"], sealed["storage_name"]}

    with django_capture_on_commit_callbacks(execute=True):
        assert services.run(now).drafts == 2
    for item in (accepted, pending, sealed):
        assert not default_storage.exists(item["storage_name"]), item["name"]
    assert default_storage.exists(shared["storage_name"])
    assert default_storage.exists(live["storage_name"])

    # The resident deletes their draft from the my page: its file goes too.
    with django_capture_on_commit_callbacks(execute=True):
        drafts.discard_for_resident(other_resident, kept.public_id)
    assert not Draft.objects.filter(pk=kept.pk).exists()
    assert not default_storage.exists(live["storage_name"])


def test_inquiries_answered_or_closed_go_after_their_period_with_a_record(
        settings, resident, staff_user):
    from madoguchi.faq import services as faq
    from madoguchi.faq.models import ChatQuestion, Inquiry, InquiryMessage

    settings.INQUIRY_RETENTION_YEARS = 1
    department = Department.objects.get(code="kosodate")
    asked_at = dt.datetime(2026, 1, 10, 9, tzinfo=TOKYO)
    chat = ChatQuestion.objects.create(text="保育園の申込 山田花子", folded="x",
                                       created_at=asked_at)
    answered = faq.open_inquiry(resident=resident, department=department,
                                subject="保育園の申込について", body="山田花子です。締切は?",
                                chat_question=chat)
    faq.staff_reply(answered, author=staff_user, body="3月末です。")
    still_open = faq.open_inquiry(resident=resident, department=department,
                                  subject="児童手当", body="まだ届きません")
    closed = faq.open_inquiry(resident=resident, department=department, subject="閉じた件",
                              body="解決しました")
    faq.close_inquiry(closed)
    ours = Inquiry.objects.filter(pk__in=[answered.pk, still_open.pk, closed.pk])
    Inquiry.objects.exclude(pk__in=ours).update(status="open")  # the demo's stay out of it
    ours.update(updated_at=asked_at)
    Inquiry.objects.filter(pk=closed.pk).update(updated_at=asked_at + dt.timedelta(days=60))

    # A year after the last message, not a moment before.
    report = services.run(dt.datetime(2027, 1, 10, 8, tzinfo=TOKYO))
    assert report.inquiries == 0 and report.chat_questions == 0
    report = services.run(dt.datetime(2027, 1, 10, 10, tzinfo=TOKYO))
    assert report.inquiries == 1 and report.chat_questions == 1
    assert set(ours.values_list("pk", flat=True)) == {still_open.pk, closed.pk}
    assert not InquiryMessage.objects.filter(inquiry_id=answered.pk).exists()
    assert not ChatQuestion.objects.filter(pk=chat.pk).exists()

    tally = Tally.objects.get(kind="inquiry", subject="kosodate")
    assert (tally.month, tally.deleted) == (dt.date(2026, 1, 1), 1)
    event = AuditEvent.objects.get(action="retention.deleted", target_type="inquiry")
    assert event.target_id == str(answered.public_id)
    assert event.details["messages"] == 2 and event.details["status"] == "answered"
    assert event.details["why"] == "retention period ended"
    text = json.dumps(event.details, ensure_ascii=False)
    for personal in ("山田", "保育園", resident.email, "3月末"):
        assert personal not in text
    assert AuditEvent.objects.filter(action="retention.run").latest("at").details[
        "inquiries"] == 1

    # The closed one goes two months later; the open one waits for the city, whatever its age.
    assert services.run(dt.datetime(2030, 1, 1, tzinfo=TOKYO)).inquiries == 1
    assert list(ours.values_list("pk", flat=True)) == [still_open.pk]
    assert list(Tally.objects.filter(kind="inquiry").values_list("month", "deleted")) == [
        (dt.date(2026, 1, 1), 1), (dt.date(2026, 3, 1), 1)]
