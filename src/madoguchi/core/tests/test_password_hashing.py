"""Argon2 hashes new passwords; a PBKDF2 hash still signs in and is upgraded to Argon2."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher

from madoguchi.core.models import User
from madoguchi.residents.services import sign_up

PASSWORD = "kawa-no-nagare-2026"


def test_production_hashers_put_argon2_first_and_keep_pbkdf2():
    names = settings.PRODUCTION_PASSWORD_HASHERS
    assert names[0] == "madoguchi.core.hashers.TunedArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in names


@pytest.mark.django_db
def test_pbkdf2_hash_signs_in_and_becomes_argon2(client, settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    user = sign_up(email="pbkdf2@example.jp", password="placeholder-0", confirmed=True)
    # A real pbkdf2_sha256 hash as an older installation stored it (few iterations: a fast test;
    # Django reads the iterations from the hash itself).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "fixedsalt1234567", iterations=1000)
    user.save(update_fields=["password"])
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"

    response = client.post("/account/login/", {"email": "pbkdf2@example.jp", "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_new_password_is_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    user = sign_up(email="new@example.jp", password=PASSWORD, confirmed=True)
    assert user.password.startswith("argon2$argon2id$")


def argon2_params(user: User) -> tuple[int, int, int]:
    decoded = identify_hasher(user.password).decode(user.password)
    return decoded["time_cost"], decoded["memory_cost"], decoded["parallelism"]


@pytest.mark.django_db
def test_the_argon2_cost_comes_from_the_settings_and_a_change_rehashes_at_sign_in(
        client, settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB, settings.ARGON2_PARALLELISM = (
        1, 8192, 1)
    user = sign_up(email="argon2@example.jp", password=PASSWORD, confirmed=True)
    assert argon2_params(user) == (1, 8192, 1)

    # The operator raises the cost: the stored hash is re-made at the next sign-in.
    settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB = 2, 9216
    assert identify_hasher(user.password).must_update(user.password)
    response = client.post("/account/login/", {"email": "argon2@example.jp",
                                               "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert argon2_params(user) == (2, 9216, 1)
    assert not identify_hasher(user.password).must_update(user.password)
    assert user.check_password(PASSWORD)


def test_the_default_cost_follows_owasp():
    """OWASP's Argon2id minimum: 19 MiB, two passes, one lane (docs/deploy.md)."""
    assert (settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_KIB,
            settings.ARGON2_PARALLELISM) == (2, 19 * 1024, 1)
