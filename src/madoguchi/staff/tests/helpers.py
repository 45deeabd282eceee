"""Test helpers: sign staff in with both factors without an authenticator app.

``client.force_login(user)`` only does the password step; staff pages then redirect to the
code page. Use :func:`staff_login` (or :func:`complete_second_factor` after ``force_login``).
"""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone

from madoguchi.core.models import User
from madoguchi.staff import services
from madoguchi.staff.models import StaffMember, StaffTOTP


def ensure_authenticator(user: User, secret: str | None = None) -> StaffTOTP:
    """The user's confirmed authenticator, created (with ``secret`` or a new one) if missing."""
    totp = StaffTOTP.objects.filter(user=user).first()
    if totp is None:
        totp = StaffTOTP(user=user)
        totp.set_secret(secret or services.new_secret())
    if totp.confirmed_at is None:
        totp.confirmed_at = timezone.now()
        totp.save()
    return totp


def complete_second_factor(client: Any, user: User) -> None:
    """Mark a Django test client's session (already logged in as ``user``) as past step two."""
    totp = ensure_authenticator(user)
    session = client.session
    session[services.SESSION_KEY] = {"user": user.pk, "totp": totp.pk, "at": int(time.time())}
    session.save()


def staff_login(client: Any, user: User) -> Any:
    """``force_login`` plus the second factor; returns the client."""
    client.force_login(user)
    complete_second_factor(client, user)
    return client


def next_code(user: User) -> str:
    """A code the user's authenticator would show and the server will still accept.

    A code is refused once its time step was used, so after a recent sign-in this is the next
    step's code (accepted within the window), waiting for the clock only when even that is used.
    """
    totp = StaffTOTP.objects.get(user=user)
    step = services.step_at()
    if totp.last_used_step is not None and totp.last_used_step >= step:
        step = totp.last_used_step + 1
        while step > services.step_at() + services.VALID_WINDOW:
            time.sleep(0.5)
    return services.code_at_step(totp.secret(), step)


def member(role: str, department: str) -> User:
    """A staff member of ``department`` (code) with ``role``, created when the demo has none."""
    existing = StaffMember.objects.filter(role=role, department__code=department).first()
    if existing is not None:
        return existing.user
    user = User.objects.create_user(email=f"{role}-{department}@city.midorigaoka.example",
                                    password="member-password-2026",
                                    kind=User.Kind.STAFF)
    department_obj = StaffMember.objects.filter(department__code=department).first().department
    StaffMember.objects.create(user=user, department=department_obj, role=role,
                               family_name="試験", given_name=role)
    return user
