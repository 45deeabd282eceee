"""Writes for resident accounts."""

from __future__ import annotations

from django.db import transaction

from madoguchi.core.models import User

from .models import Resident


def sign_up(*, email: str, password: str, language: str = "ja") -> User:
    """Create a resident account (the caller checked the password and that the e-mail is free)."""
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, kind=User.Kind.RESIDENT)
        Resident.objects.create(user=user, preferred_language=language)
    return user
