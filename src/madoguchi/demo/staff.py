"""Demo only: one published authenticator key for every demo staff account.

With ``MADOGUCHI_DEMO=1`` each demo staff member (``@city.midorigaoka.example``) who has no
authenticator gets a confirmed one with :data:`DEMO_TOTP_SECRET`, so a tester adds that key to an
authenticator app once (README, "Demo accounts") and signs in as any of them. Without the demo
setting nothing is seeded and every account sets up its own key at its first sign-in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from madoguchi.core.models import User
from madoguchi.staff.models import StaffMember, StaffTOTP

from .accounts import STAFF_EMAIL_DOMAIN

DEMO_TOTP_SECRET = "MADOGUCHIDEMOTOTPKEY234567ABCDEF"  # noqa: S105 - published demo credential


def is_demo_staff(user: User) -> bool:
    return user.is_staff_member and user.email.endswith("@" + STAFF_EMAIL_DOMAIN)


def seed_demo_authenticator(user: User) -> bool:
    """Give a demo staff account the demo key (demo mode only, only if it has none)."""
    if not settings.DEMO or not is_demo_staff(user):
        return False
    if StaffTOTP.objects.filter(user=user).exists():
        return False
    totp = StaffTOTP(user=user, confirmed_at=timezone.now())
    totp.set_secret(DEMO_TOTP_SECRET)
    totp.save()
    return True


def on_staff_member_saved(sender: type[StaffMember], instance: StaffMember,
                          **kwargs: Any) -> None:
    """post_save of StaffMember: the demo loader saves every demo staff member."""
    if settings.DEMO and not kwargs.get("raw"):
        seed_demo_authenticator(instance.user)
