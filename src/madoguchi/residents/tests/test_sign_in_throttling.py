"""Sign-in throttling: accounts are locked, client addresses are only slowed down."""

from __future__ import annotations

import threading

import pytest
from django.test import Client

from madoguchi.conftest import OTHER_RESIDENT_EMAIL, OTHER_RESIDENT_PASSWORD
from madoguchi.core import signin
from madoguchi.core.models import AuditEvent, LoginAttempt
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL

ATTACKER = "198.51.100.7"
PROXY = "10.0.0.2"


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """The pauses sign-in makes, recorded instead of slept."""
    made: list[float] = []
    monkeypatch.setattr(signin, "_pause", made.append)
    return made


def sign_in(client: Client, email: str, password: str):
    return client.post("/account/login/", {"email": email, "password": password})


def test_many_failures_from_one_address_never_lock_out_another_account(resident, pauses,
                                                                      settings):
    """A city behind one address: a guesser there must not keep the others out."""
    shared = Client(REMOTE_ADDR=ATTACKER)
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT + 10):
        assert sign_in(shared, f"guess{n}@example.jp", "x-x-x-x").status_code == 200
    assert LoginAttempt.objects.filter(ip_address=ATTACKER).count() == 40
    # The right password of an account that has not failed goes through, without a pause.
    before = len(pauses)
    response = sign_in(Client(REMOTE_ADDR=ATTACKER), DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    assert response.status_code == 302
    assert len(pauses) == before


def test_failures_past_the_address_limit_are_held_back_longer_and_longer(demo, pauses, settings):
    shared = Client(REMOTE_ADDR=ATTACKER)
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        sign_in(shared, f"guess{n}@example.jp", "x-x-x-x")
    assert pauses == []
    for n in range(8):
        sign_in(shared, f"more{n}@example.jp", "x-x-x-x")
    first = settings.LOGIN_ADDRESS_FIRST_DELAY_SECONDS
    assert pauses[:4] == [first, first * 2, first * 4, first * 8]
    assert pauses == sorted(pauses)
    assert max(pauses) == settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS
    # Failures from another address are not held back.
    sign_in(Client(REMOTE_ADDR="203.0.113.5"), "someone@example.jp", "x-x-x-x")
    assert len(pauses) == 8


def test_a_pause_does_not_wait_for_a_free_slot(demo, monkeypatch, settings):
    """While the process's pause slots are taken, failures are answered at once."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0
    started, release = threading.Event(), threading.Event()
    paused: list[float] = []

    def slow(seconds: float) -> None:
        paused.append(seconds)
        started.set()
        release.wait(5)

    monkeypatch.setattr(signin, "_pause", slow)
    failures = signin.Failures(by_account=0, by_address=3)
    worker = threading.Thread(target=signin.hold_back, args=(failures,))
    worker.start()
    assert started.wait(5)
    assert signin.hold_back(failures) == 0.0  # the only slot is taken
    release.set()
    worker.join(5)
    assert len(paused) == 1
    monkeypatch.setattr(signin, "_pause", paused.append)
    assert signin.hold_back(failures) > 0


def test_the_account_lock_holds_from_every_address(resident, pauses):
    for n in range(5):
        sign_in(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), DEMO_RESIDENT_EMAIL, "wrong-password")
    for address in ("203.0.113.1", "192.0.2.77"):
        response = sign_in(Client(REMOTE_ADDR=address), DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in response.wsgi_request.session
    assert AuditEvent.objects.filter(action="signin.throttled").count() == 2
    assert pauses == []


def test_an_account_with_a_few_failures_still_signs_in_from_a_busy_address(
        resident, other_resident, pauses, settings):
    shared = Client(REMOTE_ADDR=ATTACKER)
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        sign_in(shared, f"guess{n}@example.jp", "x-x-x-x")
    sign_in(shared, OTHER_RESIDENT_EMAIL, "typo-typo-typo")
    assert sign_in(Client(REMOTE_ADDR=ATTACKER), OTHER_RESIDENT_EMAIL,
                   OTHER_RESIDENT_PASSWORD).status_code == 302


def test_forwarded_for_from_an_untrusted_peer_is_ignored(resident, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.1")
    sign_in(client, DEMO_RESIDENT_EMAIL, "wrong-password")
    assert list(LoginAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_forwarded_for_from_a_trusted_proxy_is_used(resident, pauses, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    # The client put a fake address on the left; the proxy appended the real one.
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}")
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT + 1):
        sign_in(client, f"guess{n}@example.jp", "x-x-x-x")
    assert set(LoginAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert len(pauses) == 1
    # Another resident behind the same proxy is neither counted with the guesser nor slowed.
    neighbour = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.50")
    sign_in(neighbour, "typo@example.jp", "x-x-x-x")
    assert len(pauses) == 1
    assert sign_in(neighbour, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD).status_code == 302
    assert AuditEvent.objects.get(action="signin").ip_address == "203.0.113.50"


def test_behind_a_proxy_without_forwarded_for_the_address_is_not_counted(demo, pauses, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0
    for n in range(3):
        sign_in(Client(REMOTE_ADDR=PROXY), f"guess{n}@example.jp", "x-x-x-x")
    assert set(LoginAttempt.objects.values_list("ip_address", flat=True)) == {None}
    assert pauses == []
