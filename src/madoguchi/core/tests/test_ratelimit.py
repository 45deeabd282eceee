"""The abuse limits' counting, waits and refusal page (the endpoints have their own tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from madoguchi.conftest import visible_text
from madoguchi.core import ratelimit
from madoguchi.core.models import LoginAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": "2/1/600"}


def test_parse_reads_address_key_and_window():
    assert ratelimit.Limit.parse(" 20/3/3600 ") == ratelimit.Limit(20, 3, 3600)
    for bad in ("20/3", "a/b/c", "1/1/0", "-1/0/60"):
        with pytest.raises(ValueError):
            ratelimit.Limit.parse(bad)


def test_every_scope_in_the_settings_parses(settings):
    for scope in settings.RATE_LIMITS:
        assert ratelimit.limit_of(scope).window_seconds > 0


def test_address_limit_refuses_and_says_how_long(tight):
    assert ratelimit.check("chat", ip="192.0.2.1").allowed
    assert ratelimit.check("chat", ip="192.0.2.1").allowed
    refused = ratelimit.check("chat", ip="192.0.2.1")
    assert not refused.allowed and refused.by == "address"
    assert 590 <= refused.retry_after <= 600
    assert ratelimit.check("chat", ip="192.0.2.2").allowed  # another address is not touched
    assert LoginAttempt.objects.filter(realm="chat").count() == 3  # the refusal is not counted


def test_key_limit_is_per_key_and_case_blind(tight):
    assert ratelimit.check("chat", ip=None, key="A@example.jp").allowed
    assert ratelimit.check("chat", ip=None, key="a@example.jp").by == "key"
    assert ratelimit.check("chat", ip=None, key="b@example.jp").allowed


def test_uses_leave_the_window_and_the_wait_counts_the_oldest_that_must_go(tight):
    now = timezone.now()
    LoginAttempt.objects.create(realm="chat", email="", ip_address="192.0.2.9",
                                at=now - timedelta(seconds=700))  # outside the window
    LoginAttempt.objects.create(realm="chat", email="", ip_address="192.0.2.9",
                                at=now - timedelta(seconds=500))
    LoginAttempt.objects.create(realm="chat", email="", ip_address="192.0.2.9",
                                at=now - timedelta(seconds=100))
    refused = ratelimit.check("chat", ip="192.0.2.9")
    assert not refused.allowed
    assert 95 <= refused.retry_after <= 101  # the use of 500 s ago leaves in 100 s


def test_zero_means_no_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": "0/0/60"}
    assert all(ratelimit.check("chat", ip="192.0.2.1", key="k").allowed for _ in range(5))


def test_refusal_page_is_japanese_with_retry_after():
    request = RequestFactory().get("/chat/?q=x")
    with translation.override("ja"):
        response = ratelimit.refuse(request, ratelimit.Decision(False, 125, "address"))
    assert response.status_code == 429
    assert response["Retry-After"] == "125"
    text = visible_text(response.content)
    assert "3分" in text and "短い間に何度も" in text and "市役所" in text


def test_wait_text_rounds_up_to_minutes():
    with translation.override("en"):
        assert ratelimit.wait_text(30) == "30 seconds"
        assert ratelimit.wait_text(61) == "2 minutes"


def test_prune_deletes_only_uses_outside_their_window(tight):
    now = timezone.now()
    old = LoginAttempt.objects.create(realm="chat", email="", ip_address="192.0.2.1",
                                      at=now - timedelta(seconds=601))
    recent = LoginAttempt.objects.create(realm="chat", email="", ip_address="192.0.2.1",
                                         at=now - timedelta(seconds=10))
    signin = LoginAttempt.objects.create(realm="resident", email="a@example.jp",
                                         at=now - timedelta(days=30))
    assert ratelimit.prune() == 1
    remaining = set(LoginAttempt.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and {recent.pk, signin.pk} <= remaining
