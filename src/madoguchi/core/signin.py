"""Password sign-in shared by the resident and staff flows, with throttling and auditing."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit
from .client_address import real_client_ip
from .models import LoginAttempt, User
from .navigation import safe_next

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


@dataclass(frozen=True)
class Failures:
    """Failed attempts in the window: of one account (``email``) and from one client address
    (``None`` when the client's address is not known)."""

    by_account: int
    by_address: int | None

    @property
    def account_locked(self) -> bool:
        """The account waits out the window, whoever signs in and from wherever."""
        return self.by_account >= settings.LOGIN_FAILURE_LIMIT

    @property
    def address_delay(self) -> float:
        """Seconds to hold back a further failure from this address (0 below the limit).

        Doubles with each failure past ``LOGIN_ADDRESS_FAILURE_LIMIT``, up to the maximum.
        """
        if self.by_address is None:
            return 0.0
        excess = self.by_address - settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if excess < 0:
            return 0.0
        first = settings.LOGIN_ADDRESS_FIRST_DELAY_SECONDS
        return min(settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS, first * 2.0 ** min(excess, 16))


def recent_failures(realm: str, email: str, ip: str | None) -> Failures:
    """Count the failures of ``realm`` in the window for ``email`` and for the address ``ip``."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginAttempt.objects.filter(realm=realm, at__gte=since)
    by_account = recent.filter(email=email).count()
    by_address = recent.filter(ip_address=ip).count() if ip else None
    return Failures(by_account, by_address)


_delay_slots: threading.BoundedSemaphore | None = None
_delay_slots_size = 0
_delay_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    global _delay_slots, _delay_slots_size  # one pool per process
    with _delay_lock:
        size = max(1, settings.LOGIN_ADDRESS_DELAY_SLOTS)
        if _delay_slots is None or size != _delay_slots_size:
            _delay_slots, _delay_slots_size = threading.BoundedSemaphore(size), size
        return _delay_slots


_pause = time.sleep  # replaced in tests


def hold_back(failures: Failures) -> float:
    """Pause a failed attempt from a busy address; returns the seconds paused.

    Only failures are held back, so a resident with the right password never waits. While
    the process's pause slots are all taken, the answer is not held back (a pause must not
    tie up the server's threads), so the pauses slow a guesser without being a way to stall
    the site.
    """
    delay = failures.address_delay
    if delay <= 0:
        return 0.0
    slots = _slots()
    if not slots.acquire(blocking=False):
        return 0.0
    try:
        _pause(delay)
    finally:
        slots.release()
    return delay


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str = ""
    throttled: bool = False


def sign_in(request: HttpRequest, realm: str, email: str, password: str) -> SignInResult:
    """Try to sign in a user of kind ``realm`` (resident or staff) with a password.

    An account with too many recent failures is refused (even with the right password). The
    client address (``client_address.real_client_ip``, through trusted proxies only) never
    refuses anything: failures from a busy address are held back instead (``hold_back``).
    """
    email = email.strip().lower()
    ip = real_client_ip(request)
    failures = recent_failures(realm, email, ip)
    if failures.account_locked:
        audit.record(request, "signin.throttled", target_type="user", details={"email": email})
        return SignInResult(None, str(TOO_MANY), throttled=True)
    user = authenticate(request, username=email, password=password)
    if user is None or user.kind != realm:
        LoginAttempt.objects.create(realm=realm, email=email, ip_address=ip)
        hold_back(failures)
        return SignInResult(None, str(WRONG))
    login(request, user)
    LoginAttempt.objects.filter(realm=realm, email=email).delete()
    audit.record(request, "signin", target_type="user", target_id=str(user.pk))
    return SignInResult(user)


def sign_in_page(request: HttpRequest, realm: str, template: str,
                 success_url: str, extra_context: dict[str, object] | None = None) -> HttpResponse:
    """The password page of ``realm``: on success a redirect to ``success_url``, else the
    ``template`` with the form, the error and the ``next`` page (429 while throttled)."""
    form = SignInForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = sign_in(
            request, realm, form.cleaned_data["email"], form.cleaned_data["password"]
        )
        if result.user is not None:
            return redirect(success_url)
    return render(
        request,
        template,
        {"form": form, "error": result.error if result else "", "next": safe_next(request, ""),
         **(extra_context or {})},
        status=429 if result and result.throttled else 200,
    )
