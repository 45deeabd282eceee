"""Password sign-in shared by the resident and staff flows, with throttling and auditing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import LoginAttempt, User

TOO_MANY = _(
    "Too many failed sign-in attempts. Please wait 15 minutes and try again, "
    "or ask the city office for help."
)
WRONG = _("The e-mail address or password is not correct. Please check and try again.")


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the form name@example.jp."),
        },
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )


def _recent_failures(realm: str, email: str, ip: str | None) -> tuple[int, int]:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginAttempt.objects.filter(realm=realm, at__gte=since)
    by_email = recent.filter(email=email).count()
    by_ip = recent.filter(ip_address=ip).count() if ip else 0
    return by_email, by_ip


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str = ""
    throttled: bool = False


def sign_in(request: HttpRequest, realm: str, email: str, password: str) -> SignInResult:
    """Try to sign in a user of kind ``realm`` (resident or staff) with a password."""
    email = email.strip().lower()
    ip = audit.client_ip(request)
    by_email, by_ip = _recent_failures(realm, email, ip)
    if by_email >= settings.LOGIN_FAILURE_LIMIT or by_ip >= settings.LOGIN_FAILURE_LIMIT * 4:
        audit.record(request, "signin.throttled", target_type="user", details={"email": email})
        return SignInResult(None, str(TOO_MANY), throttled=True)
    user = authenticate(request, username=email, password=password)
    if user is None or user.kind != realm:
        LoginAttempt.objects.create(realm=realm, email=email, ip_address=ip)
        return SignInResult(None, str(WRONG))
    login(request, user)
    LoginAttempt.objects.filter(realm=realm, email=email).delete()
    audit.record(request, "signin", target_type="user", target_id=str(user.pk))
    return SignInResult(user)
