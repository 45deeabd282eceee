"""Argon2id with the cost the operator sets (docs/deploy.md, "Password hashing").

Django's ``Argon2PasswordHasher`` has fixed class attributes (t=2, 100 MiB, 8 lanes). This one
reads ``ARGON2_TIME_COST``, ``ARGON2_MEMORY_KIB`` and ``ARGON2_PARALLELISM`` from the settings
(``MADOGUCHI_ARGON2_*`` in the environment) each time it builds its parameters. Its algorithm
is still ``argon2``: hashes made with other parameters verify, and Django's ``must_update``
compares a stored hash's parameters with these, so each account's hash is re-made with the new
cost at its next sign-in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with the parameters of the settings."""

    def params(self) -> Any:
        self.time_cost = int(settings.ARGON2_TIME_COST)
        self.memory_cost = int(settings.ARGON2_MEMORY_KIB)
        self.parallelism = int(settings.ARGON2_PARALLELISM)
        return super().params()
