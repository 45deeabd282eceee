"""Argon2 hashes new passwords; a PBKDF2 hash still signs in and is upgraded to Argon2."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher

from madoguchi.residents.services import sign_up

PASSWORD = "kawa-no-nagare-2026"


def test_production_hashers_put_argon2_first_and_keep_pbkdf2():
    names = settings.PRODUCTION_PASSWORD_HASHERS
    assert names[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
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
