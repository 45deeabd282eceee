"""A resident deletes their account (マイページ → アカウント削除).

Cases not yet decided are withdrawn; every case stays, detached from the account, for its
procedure's retention period (it is the city's record of an application; docs/retention.md).
Drafts, bookings (their seats freed), pre-applications, the LINE link and notification
settings are deleted. The account row itself stays as an anonymous, inactive tombstone, since
the audit log and case histories refer to it: its address, name and password are erased and
it can never sign in again. A confirmation mail goes to the old address.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from madoguchi.applications import retention as cases
from madoguchi.channels import services as channels
from madoguchi.core.models import AuditEvent, User
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.counter import services as counter
from madoguchi.reservations import services as reservations

# Without a password (signed in by a link or an identity provider), the sign-in must be this
# recent to delete the account.
RECENT_SIGN_IN = dt.timedelta(minutes=10)
TOMBSTONE_DOMAIN = "deleted.invalid"


class DeletionRefused(Exception):
    """The account may not be deleted this way (a staff account, a wrong password, ...)."""


@dataclass(frozen=True)
class Deleted:
    withdrawn: int
    kept: int
    bookings: int


def may_confirm_without_password(user: User, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (not user.has_usable_password() and user.last_login is not None
            and user.last_login >= now - RECENT_SIGN_IN)


def check_confirmation(user: User, password: str) -> None:
    """Refuse unless the resident proved it is them: the password, or a recent sign-in."""
    if not user.is_resident:
        raise DeletionRefused("staff")
    if user.has_usable_password():
        if not user.check_password(password):
            raise DeletionRefused("password")
    elif not may_confirm_without_password(user):
        raise DeletionRefused("sign in again")


def delete_account(user: User, *, language: str = "ja") -> Deleted:
    """Delete the resident's account as described above; returns what happened to what."""
    if not user.is_resident:
        raise DeletionRefused("staff")
    email = user.email
    with transaction.atomic():
        withdrawn, kept = cases.forget_applicant(user)
        bookings = reservations.forget_user(user)
        channels.forget_user(user)
        counter.forget_resident(user)
        profile = getattr(user, "resident_profile", None)
        if profile is not None:
            profile.delete()
        user_model = get_user_model()
        tombstone = user_model.objects.select_for_update().get(pk=user.pk)
        tombstone.email = f"deleted-{uuid.uuid4().hex}@{TOMBSTONE_DOMAIN}"
        tombstone.display_name = ""
        tombstone.is_active = False
        tombstone.set_unusable_password()
        tombstone.save(update_fields=["email", "display_name", "is_active", "password"])
        # Other sessions end by themselves: an inactive account, and a changed password hash
        # (the session's auth hash no longer matches), are refused on their next request.
        AuditEvent.objects.create(
            actor=tombstone, actor_label="deleted account", action="account.deleted",
            target_type="user", target_id=str(user.pk),
            details={"withdrawn": withdrawn, "kept": kept, "bookings": bookings})
        enqueue_with_transaction("madoguchi.retention.tasks.send_account_deleted",
                                 email=email, language=language, withdrawn=withdrawn,
                                 kept=kept)
    return Deleted(withdrawn, kept, bookings)
