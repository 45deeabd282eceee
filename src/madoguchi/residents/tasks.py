"""Account e-mails: the confirmation link, "you already have an account", password reset.

They go to the address only, never to LINE: they are about the address itself.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import TaskContext, task

from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify
from madoguchi.core.models import User

# How long a mailed confirmation link stays valid: services refuses older tokens, the e-mail says
# so. Kept here, below services (which enqueues these tasks), so both read the one value.
CONFIRMATION_MAX_AGE = timedelta(days=3)


def _absolute(path: str, next_path: str = "") -> str:
    query = f"?{urlencode({'next': next_path})}" if next_path.startswith("/") else ""
    return settings.SITE_URL.rstrip("/") + path + query


def _language(user: User | None, fallback: str) -> str:
    profile = getattr(user, "resident_profile", None) if user is not None else None
    return profile.preferred_language if profile else fallback


@task(takes_context=True)
def send_confirmation_link(context: TaskContext, user_id: int, token: str,
                           next_path: str = "") -> None:
    """Ask a new resident to confirm their address by opening a link (it expires)."""
    user = User.objects.select_related("resident_profile").get(pk=user_id)
    url = _absolute(reverse("residents:confirm_email", args=[token]), next_path)
    notice = Notice(kind="account.confirm", template="residents/email/confirm", url=url,
                    context={"url": url, "days": CONFIRMATION_MAX_AGE.days})
    notify(notice, email=user.email, language=_language(user, "ja"),
           once=f"task:{context.task_result.id}")


@task(takes_context=True)
def send_account_exists(context: TaskContext, email: str, language: str,
                        next_path: str = "") -> None:
    """Tell the owner of an address that has an account that someone tried to sign up again."""
    user = User.objects.filter(email=email).select_related("resident_profile").first()
    if user is None:
        return
    notice = Notice(kind="account.exists", template="residents/email/account_exists", context={
        "is_staff": not user.is_resident,
        "sign_in_url": _absolute(reverse("residents:login"), next_path),
        "reset_url": _absolute(reverse("residents:password_reset")),
    })
    notify(notice, email=user.email, language=_language(user, language),
           once=f"task:{context.task_result.id}")


@task(takes_context=True)
def send_password_reset(context: TaskContext, user_id: int, language: str) -> None:
    """Mail a resident the link that sets a new password (single use, it expires)."""
    user = User.objects.select_related("resident_profile").get(pk=user_id)
    path = reverse("residents:password_reset_confirm", args=[
        urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)])
    url = _absolute(path)
    notice = Notice(kind="account.password_reset", template="residents/email/password_reset",
                    url=url, context={"url": url,
                                      "days": settings.PASSWORD_RESET_TIMEOUT // 86400})
    notify(notice, email=user.email, language=_language(user, language),
           once=f"task:{context.task_result.id}")
