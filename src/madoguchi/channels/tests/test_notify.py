"""The notification interface: one call, the recipient's channels, their language."""

from __future__ import annotations

import pytest

from madoguchi.catalog.models import City
from madoguchi.channels.base import Channel, Notice, context_providers, registry
from madoguchi.channels.services import notify, set_channel_preference
from madoguchi.core.models import MailboxMessage
from madoguchi.core.plugins import DuplicatePlugin, PluginError


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


class Recording(Channel):
    """A channel for tests: reaches everyone and remembers what it delivered."""

    code = "recording"
    label = "Recording"

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.contexts: list[dict] = []

    def can_reach(self, recipient) -> bool:
        return True

    def deliver(self, recipient, notice, context) -> None:
        self.delivered.append(notice.kind)
        self.contexts.append(context)


def test_registry_refuses_a_channel_under_another_code_or_a_duplicate():
    with pytest.raises(PluginError, match="under its own id"):
        registry.register("other", Recording())
    with pytest.raises(PluginError, match="Channel instance"):
        registry.register("recording", object())
    with pytest.raises(DuplicatePlugin):
        registry.register("email", registry["email"])
    assert registry.codes()[:2] == ["email", "line"] and "recording" not in registry


@pytest.mark.django_db
def test_notify_uses_an_enabled_channel_and_skips_a_disabled_one(resident, notice, settings):
    with registry.temporary("recording", Recording()) as channel:
        set_channel_preference(resident, ["recording"])
        assert notify(notice, user=resident) == ["recording"]
        assert channel.delivered == ["application.status"]
        settings.MADOGUCHI_DISABLED_PLUGINS = {"channels": ["recording"]}
        assert notify(notice, user=resident) == ["email"]
        assert channel.delivered == ["application.status"]
        with pytest.raises(ValueError):
            set_channel_preference(resident, ["recording"])
    assert "recording" not in registry


@pytest.mark.django_db
def test_every_notice_gets_the_provided_values_and_its_own_win(resident, notice, settings, demo):
    """The catalog provides the city (channels never import it); a notice's context wins."""
    assert "city" in context_providers
    provided = {"office": "市民課", "days": 1}
    with (registry.temporary("recording", Recording()) as channel,
          context_providers.temporary("office", lambda: provided)):
        set_channel_preference(resident, ["recording"])
        assert notify(notice, user=resident) == ["recording"]
        settings.MADOGUCHI_DISABLED_PLUGINS = {"notice_context": ["office"]}
        notify(notice, user=resident)
    first, second = channel.contexts
    city = City.objects.get()
    assert first["city"] == city and first["office"] == "市民課" and first["days"] == 7
    assert second["city"] == city and "office" not in second
