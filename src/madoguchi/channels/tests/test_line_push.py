"""Notices pushed on LINE through the fake API: status, correction, issue, reminder; retries."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest
from django.utils import timezone

from madoguchi.applications.models import Status
from madoguchi.applications.services import change_status, request_correction
from madoguchi.channels import services
from madoguchi.channels.base import Notice
from madoguchi.channels.models import LineAccount, LinePush
from madoguchi.channels.services import notify
from madoguchi.core.models import MailboxMessage

pytestmark = pytest.mark.django_db
USER = "U" + "a" * 32


@pytest.fixture
def on_line(line_api, resident):
    """The demo resident, linked to LINE and wanting notices there only."""
    nonce = services.create_link_nonce(resident)
    services.link_account(USER, nonce)
    services.set_channel_preference(resident, ["line"])
    return resident


def pushed_texts(line_api) -> list[str]:
    return [m["text"] for body in line_api.pushes for m in body["messages"]]


def test_a_status_change_is_pushed_on_line_instead_of_e_mail(
        on_line, line_api, application, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    assert [body["to"] for body in line_api.pushes] == [USER]
    text = pushed_texts(line_api)[0]
    assert application.receipt_number in text
    assert f"/my/applications/{application.public_id}/" in text
    assert not MailboxMessage.objects.exists()
    push = LinePush.objects.get()
    assert (push.kind, push.status, push.attempts, push.user) == (
        "application.status", LinePush.Status.SENT, 1, on_line)
    assert line_api.calls("/push")[0].headers["x-line-retry-key"] == str(push.retry_key)


def test_both_channels_when_both_are_chosen(
        on_line, line_api, application, staff_user, django_capture_on_commit_callbacks):
    services.set_channel_preference(on_line, ["email", "line"])
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    assert len(line_api.pushes) == 1
    assert MailboxMessage.objects.get().to == on_line.email


def test_a_received_application_is_pushed(on_line, line_api, make_application,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = make_application()
    assert LinePush.objects.get().kind == "application.received"
    assert application.receipt_number in pushed_texts(line_api)[0]


def test_a_correction_request_is_its_own_notice(
        on_line, line_api, application, staff_user, django_capture_on_commit_callbacks):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    LinePush.objects.all().delete()
    line_api.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_correction(application=application, fields=["phone"],
                           message="電話番号をご確認ください。", actor=staff_user)
    push = LinePush.objects.get()
    assert push.kind == "correction.requested"
    text = pushed_texts(line_api)[0]
    assert "電話番号をご確認ください。" in text
    assert f"/my/applications/{application.public_id}/correct/" in text


def test_a_correction_request_by_e_mail_still_says_what_to_fix(
        resident, application, staff_user, django_capture_on_commit_callbacks):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        request_correction(application=application, fields=["phone"],
                           message="電話番号をご確認ください。", actor=staff_user)
    mail = MailboxMessage.objects.get()
    assert "電話番号をご確認ください。" in mail.body and "/correct/" in mail.body


@pytest.fixture
def signing(settings, tmp_path_factory):
    from madoguchi.issuance.signing import create_demo_ca

    directory = tmp_path_factory.mktemp("signing")
    create_demo_ca(directory)
    settings.SIGNING_PKCS12 = str(directory / "city.p12")
    settings.SIGNING_PKCS12_PASSWORD = ""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


def test_an_issued_document_is_pushed(on_line, line_api, application, staff_user, signing,
                                      django_capture_on_commit_callbacks):
    from madoguchi.applications.models import StatusEvent
    from madoguchi.issuance import services as issuance

    StatusEvent.objects.create(application=application, from_status=application.status,
                               to_status="approved", actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        document = issuance.issue(application, "grant", staff_user)
    push = LinePush.objects.get(kind="document.issued")
    assert push.status == LinePush.Status.SENT
    text = next(t for t in pushed_texts(line_api) if document.number in t)
    assert f"/my/applications/{application.public_id}/" in text


def test_a_reservation_reminder_is_pushed(on_line, line_api, django_capture_on_commit_callbacks):
    from madoguchi.reservations import services as reservations
    from madoguchi.reservations.tests import factories

    slot = factories.slot(days=3)
    booking = reservations.book(slot, person=factories.person(email=on_line.email),
                                user=on_line, request_token=factories.token())
    LinePush.objects.all().delete()
    line_api.clear()
    due = booking.service.reminder_due_at(slot.starts_at) + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        reservations.send_due_reminders(now=due)
    push = LinePush.objects.get(kind="reservation.reminder")
    assert push.status == LinePush.Status.SENT
    assert str(booking.public_id) in pushed_texts(line_api)[0]


def test_a_guest_by_address_never_gets_line(line_api, demo):
    notice = Notice(kind="application.status", template="applications/email/resume",
                    context={"form_title": "x", "url": "https://example.test/r", "days": 7})
    assert notify(notice, email="guest@example.test") == ["email"]
    assert line_api.requests == []


# --- preferences and fallbacks ------------------------------------------------------------
@pytest.fixture
def notice() -> Notice:
    return Notice(kind="application.status", template="applications/email/resume",
                  context={"form_title": "通学費補助", "url": "https://example.test/r", "days": 7})


def test_line_chosen_but_unfollowed_falls_back_to_e_mail(on_line, line_api, notice):
    LineAccount.objects.filter(line_user_id=USER).update(followed=False)
    assert notify(notice, user=on_line) == ["email"]
    assert line_api.requests == [] and MailboxMessage.objects.count() == 1


def test_line_chosen_but_line_switched_off_falls_back_to_e_mail(on_line, settings, notice):
    settings.LINE_CHANNEL_ACCESS_TOKEN = ""
    assert notify(notice, user=on_line) == ["email"]
    assert not LinePush.objects.exists()


def test_the_line_text_uses_the_short_template_and_the_residents_language(
        on_line, line_api, application, staff_user, django_capture_on_commit_callbacks):
    on_line.resident_profile.preferred_language = "en"
    on_line.resident_profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    text = pushed_texts(line_api)[0]
    assert "High-school commuting subsidy" in text and "Under review" in text
    assert "Please do not reply" not in text  # the e-mail footer is not in the short version


# --- retries ------------------------------------------------------------------------------
def queue(on_line, kind: str = "test.kind") -> LinePush:
    return services.queue_line_push(account=LineAccount.objects.get(user=on_line),
                                    user=on_line, kind=kind,
                                    messages=[{"type": "text", "text": "お知らせ"}])


@pytest.mark.parametrize("status", [500, 502, 429])
def test_temporary_failures_are_retried_with_the_same_retry_key(
        on_line, line_api, status, django_capture_on_commit_callbacks):
    line_api.fail_next("/v2/bot/message/push", status, times=2)
    with django_capture_on_commit_callbacks(execute=True):
        push = queue(on_line)
    push.refresh_from_db()
    assert (push.status, push.attempts) == (LinePush.Status.SENT, 3)
    assert str(status) in push.last_error
    keys = {r.headers["x-line-retry-key"] for r in line_api.calls("/push", ok_only=False)}
    assert keys == {str(push.retry_key)}
    assert len(line_api.pushes) == 1


def test_a_client_error_is_not_retried(on_line, line_api, django_capture_on_commit_callbacks):
    line_api.fail_next("/v2/bot/message/push", 400)
    with django_capture_on_commit_callbacks(execute=True):
        push = queue(on_line)
    push.refresh_from_db()
    assert (push.status, push.attempts) == (LinePush.Status.FAILED, 1)
    assert "400" in push.last_error
    assert len(line_api.calls("/push", ok_only=False)) == 1


def test_retries_stop_at_the_limit(on_line, line_api, django_capture_on_commit_callbacks):
    line_api.fail_next("/v2/bot/message/push", 503, times=50)
    with django_capture_on_commit_callbacks(execute=True):
        push = queue(on_line)
    push.refresh_from_db()
    assert (push.status, push.attempts) == (LinePush.Status.FAILED, services.PUSH_MAX_ATTEMPTS)
    assert len(line_api.calls("/push", ok_only=False)) == services.PUSH_MAX_ATTEMPTS


def test_network_errors_are_retried(on_line, settings, django_capture_on_commit_callbacks):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.LINE_API_BASE = f"http://127.0.0.1:{port}"
    with django_capture_on_commit_callbacks(execute=True):
        push = queue(on_line)
    push.refresh_from_db()
    assert (push.status, push.attempts) == (LinePush.Status.FAILED, services.PUSH_MAX_ATTEMPTS)
    assert "unreachable" in push.last_error


def test_an_already_accepted_retry_key_counts_as_sent(on_line, line_api):
    push = LinePush.objects.create(to=USER, user=on_line, kind="k", retry_key=uuid.uuid4(),
                                   messages=[{"type": "text", "text": "一度だけ"}])
    from madoguchi.channels import line

    line.push(USER, push.messages, str(push.retry_key))  # an attempt whose answer was lost
    assert services.attempt_push(push.pk) is None
    push.refresh_from_db()
    assert push.status == LinePush.Status.SENT
    assert len(line_api.pushes) == 1


def test_a_sent_push_is_not_sent_again(on_line, line_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        push = queue(on_line)
    assert services.attempt_push(push.pk) is None
    assert len(line_api.calls("/push", ok_only=False)) == 1


def test_a_push_to_an_unlinked_account_is_cancelled(on_line, line_api):
    push = LinePush.objects.create(to=USER, user=on_line, kind="k",
                                   messages=[{"type": "text", "text": "x"}])
    services.unlink_account(on_line)
    push.refresh_from_db()
    assert push.status == LinePush.Status.CANCELLED
    other = LinePush.objects.create(to=USER, user=on_line, kind="k",
                                    messages=[{"type": "text", "text": "x"}])
    assert services.attempt_push(other.pk) is None
    other.refresh_from_db()
    assert other.status == LinePush.Status.CANCELLED
    assert line_api.requests == []


def test_backoff_grows_and_is_capped():
    waits = [services.backoff(n) for n in range(1, 7)]
    assert waits[0] == dt.timedelta(seconds=30)
    assert all(a < b for a, b in zip(waits[:4], waits[1:5], strict=True))
    assert waits[-1] == dt.timedelta(hours=1)


def test_the_database_backend_defers_the_retry(on_line, line_api, settings):
    """With a backend that can defer (the production worker), the retry waits its turn."""
    from django_tasks_db.models import DBTaskResult

    from madoguchi.channels import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    line_api.fail_next("/v2/bot/message/push", 500)
    push = LinePush.objects.create(to=USER, user=on_line, kind="k",
                                   messages=[{"type": "text", "text": "x"}])
    before = timezone.now()
    tasks.push_line_message.call(push_id=push.pk)
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {"push_id": push.pk}
    assert queued.run_after >= before + dt.timedelta(seconds=29)
    push.refresh_from_db()
    assert (push.status, push.attempts) == (LinePush.Status.RETRYING, 1)
    assert push.next_attempt_at >= before + dt.timedelta(seconds=29)


def test_a_line_channel_failure_falls_back_to_e_mail(on_line, line_api, notice, monkeypatch):
    from madoguchi.channels import line_channel

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(line_channel, "render", broken)
    assert notify(notice, user=on_line) == ["email"]
    assert not LinePush.objects.exists()
    assert MailboxMessage.objects.get().to == on_line.email
