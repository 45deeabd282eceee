"""A notice sent with a once-only key goes out once, even when its task runs again after the
worker died (core.task_recovery)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from madoguchi.channels import services
from madoguchi.channels.base import Notice
from madoguchi.channels.models import SentNotice
from madoguchi.channels.services import forget_sent_notices, notify
from madoguchi.core.models import MailboxMessage


@pytest.fixture
def notice() -> Notice:
    return Notice(
        kind="application.received",
        template="applications/email/resume",
        context={"form_title": "通学費補助", "url": "https://example.test/r", "days": 7},
    )


@pytest.mark.django_db
def test_the_same_key_delivers_once_and_another_key_again(notice):
    assert notify(notice, email="a@example.test", once="application.received:1") == ["email"]
    assert notify(notice, email="a@example.test", once="application.received:1") == []
    assert notify(notice, email="a@example.test", once="application.received:2") == ["email"]
    assert MailboxMessage.objects.count() == 2
    assert SentNotice.objects.get(key="application.received:1").channels == ["email"]


@pytest.mark.django_db
def test_a_run_that_dies_before_recording_leaves_nothing_so_the_rerun_sends_once(
    notice, monkeypatch
):
    """The mail is kept in the database (the mailbox): it commits with the key or not at all."""
    real_create = SentNotice.objects.create

    def die(**kwargs):
        raise KeyboardInterrupt  # the process stops between the delivery and the record

    monkeypatch.setattr(SentNotice.objects, "create", die)
    with pytest.raises(KeyboardInterrupt):
        notify(notice, email="a@example.test", once="application.received:7")
    assert not MailboxMessage.objects.exists()
    assert not SentNotice.objects.filter(key="application.received:7").exists()

    monkeypatch.setattr(SentNotice.objects, "create", real_create)
    assert notify(notice, email="a@example.test", once="application.received:7") == ["email"]
    assert notify(notice, email="a@example.test", once="application.received:7") == []
    assert MailboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_delivery_records_no_key(notice, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("SMTP server away")

    monkeypatch.setattr("madoguchi.channels.email.send_mail", refuse)
    with pytest.raises(OSError):
        notify(notice, email="a@example.test", once="application.received:3")
    assert not SentNotice.objects.filter(key="application.received:3").exists()


@pytest.mark.django_db
def test_old_keys_are_forgotten(notice):
    notify(notice, email="a@example.test", once="old")
    notify(notice, email="a@example.test", once="new")
    SentNotice.objects.filter(key="old").update(sent_at=timezone.now() - dt.timedelta(days=100))
    SentNotice.objects.exclude(key__in=["old", "new"]).delete()
    assert forget_sent_notices(timezone.now() - dt.timedelta(days=90)) == 1
    assert list(SentNotice.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_the_receipt_task_run_twice_mails_once(notice, monkeypatch):
    """What a recovered task does: the receipt e-mail's task body runs a second time."""
    sent: list[str] = []
    monkeypatch.setattr(
        services, "_deliver", lambda notice, **kwargs: sent.append(notice.kind) or ["email"]
    )
    for _run in range(2):
        notify(notice, email="a@example.test", once="application.received:9")
    assert sent == ["application.received"]
