"""The notification interface: one call, the recipient's channels, their language."""

from __future__ import annotations

import pytest

from madoguchi.channels.base import Channel, Notice, registry
from madoguchi.channels.services import notify
from madoguchi.core.models import MailboxMessage


@pytest.fixture
def notice() -> Notice:
    return Notice(kind="application.status", template="applications/email/resume",
                  context={"form_title": "通学費補助", "url": "https://example.test/r", "days": 7})


@pytest.mark.django_db
def test_notify_sends_e_mail_in_the_residents_language(resident, notice):
    resident.resident_profile.preferred_language = "en"
    resident.resident_profile.save()
    assert notify(notice, user=resident) == ["email"]
    sent = MailboxMessage.objects.get()
    assert sent.to == resident.email
    assert "https://example.test/r" in sent.body
    assert "days" in sent.body or "7" in sent.body


@pytest.mark.django_db
def test_notify_a_guest_by_address_only(notice):
    assert notify(notice, email="guest@example.test") == ["email"]
    assert MailboxMessage.objects.get().to == "guest@example.test"


@pytest.mark.django_db
def test_notify_without_any_reachable_channel_delivers_nothing(notice):
    assert notify(notice) == []
    assert not MailboxMessage.objects.exists()


class Codeless(Channel):
    def can_reach(self, recipient) -> bool:
        return True

    def deliver(self, recipient, notice, context) -> None:
        raise AssertionError("never delivered")


def test_registry_refuses_a_channel_without_code():
    with pytest.raises(ValueError):
        registry.register(Codeless())
