"""Submitting applications and moving them through their statuses."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.db import connections

from madoguchi.applications.models import TRANSITIONS, Application, Status, StatusEvent
from madoguchi.applications.services import (
    SubmissionRefused,
    TransitionRefused,
    all_answers,
    change_status,
    submit_application,
)
from madoguchi.conftest import ACCOUNT_HOLDER, ACCOUNT_NUMBER, raw_row, valid_answers
from madoguchi.core.models import MailboxMessage
from madoguchi.jp.receipt import is_valid_receipt_number


def escaped_forms(text: str) -> list[str]:
    """The text and the ways a JSON column could spell it (\\u escapes)."""
    return [text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]]


def test_submit_stores_application_with_receipt_number_and_event(application, resident, procedure):
    assert is_valid_receipt_number(application.receipt_number)
    assert application.receipt_number.endswith(f"{application.pk:07d}-"
                                               + application.receipt_number[-1])
    assert application.status == Status.RECEIVED
    assert application.applicant == resident
    assert application.procedure == procedure
    assert application.department_id == procedure.department_id
    assert application.contact_email == resident.email
    assert application.applicant_name == "髙﨑 𠮷男"
    assert application.applicant_name_key  # folded for look-up
    events = list(application.events.all())
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("", Status.RECEIVED, resident.pk)
    ]


def test_sensitive_answers_are_encrypted_at_rest(application):
    assert "payment_account" not in application.answers
    assert application.answers["school_name"] == "緑ヶ丘県立緑ヶ丘高等学校"
    assert application.sealed_answers.startswith("v1:")
    stored = raw_row(Application.objects.get(pk=application.pk))
    for secret in (ACCOUNT_NUMBER, ACCOUNT_HOLDER, "ミドリ"):
        for spelling in escaped_forms(secret):
            assert spelling not in stored, spelling
    recovered = all_answers(Application.objects.get(pk=application.pk))
    assert recovered["payment_account"]["number"] == ACCOUNT_NUMBER
    assert recovered["payment_account"]["holder"] == ACCOUNT_HOLDER
    assert recovered == valid_answers()


def test_sealed_answers_are_bound_to_their_application(make_application):
    from madoguchi.core.crypto import DecryptionError

    first, second = make_application(), make_application()
    first.sealed_answers = second.sealed_answers
    with pytest.raises(DecryptionError):
        all_answers(first)


def test_same_token_twice_returns_the_same_application(make_application):
    token = uuid.uuid4()
    first = make_application(token=token)
    second = make_application(token=token)
    assert first.pk == second.pk
    assert Application.objects.count() == 1
    assert StatusEvent.objects.count() == 1


def test_token_of_another_applicant_is_refused(make_application, other_resident):
    token = uuid.uuid4()
    make_application(token=token)
    with pytest.raises(SubmissionRefused):
        make_application(user=other_resident, token=token)
    assert Application.objects.count() == 1


def test_incomplete_or_tampered_answers_are_refused(resident, form_version):
    answers = valid_answers()
    del answers["student_birth_date"]
    with pytest.raises(SubmissionRefused) as info:
        submit_application(user=resident, version=form_version, answers=answers,
                           token=uuid.uuid4())
    assert "student_birth_date" in info.value.errors
    answers = valid_answers() | {"district": "outside-the-city"}
    with pytest.raises(SubmissionRefused):
        submit_application(user=resident, version=form_version, answers=answers,
                           token=uuid.uuid4())
    assert Application.objects.count() == 0


def test_receipt_email_is_sent_with_the_receipt_number(
    make_application, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = make_application()
    mails = list(MailboxMessage.objects.all())
    assert len(mails) == 1
    mail = mails[0]
    assert mail.to == resident.email
    assert application.receipt_number in mail.subject
    assert application.receipt_number in mail.body
    assert str(application.public_id) in mail.body
    assert ACCOUNT_NUMBER not in mail.body


def test_no_mail_for_a_repeated_submit(make_application, django_capture_on_commit_callbacks):
    token = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        make_application(token=token)
        make_application(token=token)
    assert MailboxMessage.objects.count() == 1


# --- status changes ---------------------------------------------------------------------------
def test_transitions_table_is_a_closed_machine():
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(Status.values)


def test_change_status_follows_the_machine(application, staff_user):
    event = change_status(application=application, to_status=Status.UNDER_REVIEW,
                          actor=staff_user)
    assert (event.from_status, event.to_status, event.actor) == (
        Status.RECEIVED, Status.UNDER_REVIEW, staff_user)
    assert application.status == Status.UNDER_REVIEW
    change_status(application=application, to_status=Status.APPROVED, actor=staff_user)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert [e.to_status for e in application.events.all()] == [
        Status.RECEIVED, Status.UNDER_REVIEW, Status.APPROVED]


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], Status.APPROVED),
        ([], Status.ISSUED),
        ([], Status.RECEIVED),
        ([Status.UNDER_REVIEW], Status.RECEIVED),
        ([Status.UNDER_REVIEW], Status.UNDER_REVIEW),
        ([Status.UNDER_REVIEW, Status.APPROVED], Status.REJECTED),
        ([Status.UNDER_REVIEW, Status.APPROVED], Status.UNDER_REVIEW),
        ([], "archived"),
        ([], ""),
    ],
)
def test_illegal_moves_are_refused(application, staff_user, path, illegal):
    for step in path:
        change_status(application=application, to_status=step, actor=staff_user)
    before = application.events.count()
    with pytest.raises(TransitionRefused):
        change_status(application=application, to_status=illegal, actor=staff_user,
                      reason="理由")
    application.refresh_from_db()
    assert application.status == (path[-1] if path else Status.RECEIVED)
    assert application.events.count() == before


@pytest.mark.parametrize("reason", ["", "   ", "\u3000\n"])
def test_rejection_needs_a_reason(application, staff_user, reason):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    with pytest.raises(TransitionRefused):
        change_status(application=application, to_status=Status.REJECTED, actor=staff_user,
                      reason=reason)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_rejection_stores_the_reason_and_emails_it(
    application, staff_user, resident, django_capture_on_commit_callbacks
):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    reason = "  定期券の区間が通学経路と一致しません。\n窓口でご相談ください。  "
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application=application, to_status=Status.REJECTED, actor=staff_user,
                      reason=reason)
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.status_reason == reason.strip()
    assert application.events.last().reason == reason.strip()
    mail = MailboxMessage.objects.get()
    assert mail.to == resident.email
    assert reason.strip() in mail.body
    assert application.receipt_number in mail.subject
    assert application.receipt_number in mail.body


def test_status_email_for_an_approval(application, staff_user, django_capture_on_commit_callbacks):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application=application, to_status=Status.APPROVED, actor=staff_user)
    mail = MailboxMessage.objects.get()
    assert application.receipt_number in mail.body


def test_status_email_in_the_residents_language(
    application, staff_user, resident, django_capture_on_commit_callbacks
):
    resident.resident_profile.preferred_language = "en"
    resident.resident_profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    mail = MailboxMessage.objects.get()
    assert "High-school commuting subsidy" in mail.body
    assert "Under review" in mail.body


def test_status_events_are_append_only(application):
    event = application.events.get()
    event.reason = "書き換え"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


# --- two submits at the same moment -----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_makes_one_application():
    from madoguchi.core.models import User
    from madoguchi.demo.accounts import DEMO_RESIDENT_EMAIL
    from madoguchi.demo.city import load_demo_city
    from madoguchi.forms.models import FormDefinition

    load_demo_city()
    user = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    version = FormDefinition.objects.get(slug="tsugaku-hojo").live_version
    answers = valid_answers()
    token = uuid.uuid4()
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    results: list[int] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            application = submit_application(user=user, version=version, answers=answers,
                                             token=token)
            results.append(application.pk)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a submit hung"
    assert not failures, failures
    assert len(results) == threads_count
    assert len(set(results)) == 1
    assert Application.objects.count() == 1
    assert StatusEvent.objects.count() == 1
    assert MailboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_click_on_the_check_page_makes_one_application():
    """Two POSTs of the same check page at once (a double click) through the whole stack."""
    from django.conf import settings as django_settings
    from django.test import Client

    from madoguchi.conftest import CHECK_URL, check_token, fill_wizard
    from madoguchi.core.models import User
    from madoguchi.demo.accounts import DEMO_RESIDENT_EMAIL
    from madoguchi.demo.city import load_demo_city

    load_demo_city()
    first = Client()
    first.force_login(User.objects.get(email=DEMO_RESIDENT_EMAIL))
    fill_wizard(first)
    token = check_token(first)
    second = Client()
    cookie = django_settings.SESSION_COOKIE_NAME
    second.cookies[cookie] = first.cookies[cookie].value
    barrier = threading.Barrier(2)
    responses: list = []
    failures: list[BaseException] = []

    def post(client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(client.post(CHECK_URL, {"token": token}))
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    application = Application.objects.get()
    expected = f"/my/applications/{application.public_id}/submitted/"
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, expected)] * 2
    assert StatusEvent.objects.count() == 1
    assert MailboxMessage.objects.count() == 1


def test_notices_name_a_procedure_that_ends_in_application_once(
    make_application, procedure, staff_user, django_capture_on_commit_callbacks
):
    """「子ども医療費助成の申請」 must not become 「…の申請の申請…」 in the received and status
    notices (e-mail and LINE share the wording)."""
    procedure.name = {"ja": "子ども医療費助成の申請", "en": "Children's medical expense subsidy"}
    procedure.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        application = make_application()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    received, status = MailboxMessage.objects.order_by("pk")
    assert received.body.startswith("手続き「子ども医療費助成の申請」を受け付けました。")
    assert status.body.startswith(
        "手続き「子ども医療費助成の申請」の状況が「審査中」になりました。")
    for mail in (received, status):
        assert "申請の申請" not in mail.subject + mail.body


def _draft_for(resident, form_version):
    from datetime import timedelta

    from django.utils import timezone

    from madoguchi.applications.models import Draft

    return Draft.objects.create(form=form_version.form, version=form_version, owner=resident,
                                expires_at=timezone.now() + timedelta(days=1))


def test_the_draft_is_deleted_with_the_submission(resident, form_version):
    from madoguchi.applications.models import Draft

    draft = _draft_for(resident, form_version)
    application = submit_application(user=resident, version=form_version, answers=valid_answers(),
                                     token=draft.submission_token, draft=draft)
    assert not Draft.objects.filter(pk=draft.pk).exists()
    # A repeated submit of the same token returns the application and leaves no draft behind.
    again = _draft_for(resident, form_version)
    same = submit_application(user=resident, version=form_version, answers=valid_answers(),
                              token=draft.submission_token, draft=again)
    assert same.pk == application.pk
    assert not Draft.objects.filter(pk=again.pk).exists()


def test_a_refused_submission_keeps_the_draft(resident, form_version, monkeypatch):
    from madoguchi.applications import services
    from madoguchi.applications.models import Draft

    draft = _draft_for(resident, form_version)

    def refuse(*_args, **_kwargs):  # a field's submit hook refusing, inside the transaction
        raise SubmissionRefused({"x": "no"}, message="no")

    monkeypatch.setattr(services, "_run_submit_hooks", refuse)
    with pytest.raises(SubmissionRefused):
        submit_application(user=resident, version=form_version, answers=valid_answers(),
                           token=draft.submission_token, draft=draft)
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert not Application.objects.filter(submission_token=draft.submission_token).exists()
