"""Two-factor sign-in of staff (TOTP, RFC 6238) and the session flag that marks it done.

Sign-in is two steps. The password step (:func:`madoguchi.core.signin.sign_in`) logs the user in
as far as Django is concerned; :func:`complete_sign_in` then sets ``session["staff_2fa"]`` after
a correct code. ``staff_required`` (permissions.py) lets a request through only when
:func:`is_verified` finds that flag for the signed-in user and their current, confirmed
authenticator, so resetting an authenticator ends the second factor of every open session.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from madoguchi.core import audit
from madoguchi.core.models import LoginAttempt, User
from madoguchi.core.signin import hold_back, recent_failures
from madoguchi.identity.contrib.oidc.provider import oidc_providers

from .models import StaffMember, StaffTOTP

SESSION_KEY = "staff_2fa"
REALM = "totp"  # LoginAttempt realm of wrong codes
DIGITS = 6
INTERVAL = 30  # seconds per time step
VALID_WINDOW = 1  # steps accepted either side of the current one (clock drift)
ISSUER = "Madoguchi"

WRONG_CODE = _(
    "The code is not correct. Enter the 6-digit code your authenticator app shows now."
)
REUSED_CODE = _("This code has already been used. Wait for the next code and enter it.")
TOO_MANY_CODES = _(
    "Too many wrong codes. Wait 15 minutes and try again, or ask an administrator of your "
    "department to reset your two-factor sign-in."
)


@dataclass(frozen=True)
class CodeResult:
    ok: bool
    error: str = ""
    throttled: bool = False


# --- TOTP --------------------------------------------------------------------------------------


def new_secret() -> str:
    """A random 160-bit base32 secret."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four characters, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)


def provisioning_uri(secret: str, user: User) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> SafeString:
    """The QR code of ``uri`` as inline SVG (no image request, black on white)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr-code"
    )
    # segno escapes the title; the rest is its own markup.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


def step_at(for_time: float | None = None) -> int:
    """The RFC 6238 time step (counter) of a moment, by default now."""
    return int((time.time() if for_time is None else for_time) // INTERVAL)


def code_at_step(secret: str, step: int) -> str:
    return _totp(secret).generate_otp(step)


def normalise_code(text: str) -> str:
    """Full-width digits and spaces or hyphens between groups are accepted: "１２３ ４５６"."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if ch not in " -\u3000\t")


def matching_step(secret: str, code: str, for_time: float | None = None) -> int | None:
    """The time step within the accepted window whose code is ``code``, or None."""
    now = step_at(for_time)
    found = None
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(code, code_at_step(secret, step)):
            found = step  # keep looping: the same time for every guess
    return found


# --- Checking a code ---------------------------------------------------------------------------


def _fail(request: HttpRequest, user: User, reason: str, message: Any) -> CodeResult:
    ip = audit.client_ip(request)
    failures = recent_failures(REALM, user.email, ip)
    LoginAttempt.objects.create(realm=REALM, email=user.email, ip_address=ip)
    audit.record(request, "signin.2fa.failed", target_type="user", target_id=str(user.pk),
                 details={"reason": reason})
    hold_back(failures)
    return CodeResult(False, str(message))


def check_code(request: HttpRequest, totp: StaffTOTP, code: str,
               for_time: float | None = None) -> CodeResult:
    """Check a code against ``totp`` with throttling, replay refusal and auditing.

    A wrong or reused code counts as a failed attempt like a wrong password (realm "totp");
    after ``LOGIN_FAILURE_LIMIT`` in the window, codes are not even checked.
    """
    user = totp.user
    if recent_failures(REALM, user.email, audit.client_ip(request)).account_locked:
        audit.record(request, "signin.2fa.throttled", target_type="user",
                     target_id=str(user.pk))
        return CodeResult(False, str(TOO_MANY_CODES), throttled=True)
    code = normalise_code(code)
    step = matching_step(totp.secret(), code, for_time) if len(code) == DIGITS else None
    if step is None:
        return _fail(request, user, "wrong", WRONG_CODE)
    # Only a step later than the last accepted one; the conditional update wins any race.
    claimed = StaffTOTP.objects.filter(pk=totp.pk).filter(
        Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
    ).update(last_used_step=step)
    if not claimed:
        return _fail(request, user, "reused", REUSED_CODE)
    totp.last_used_step = step
    LoginAttempt.objects.filter(realm=REALM, email=user.email).delete()
    return CodeResult(True)


# --- Enrolment, sign-in, reset -----------------------------------------------------------------


def authenticator_of(user: User) -> StaffTOTP | None:
    return StaffTOTP.objects.filter(user=user).select_related("user").first()


def pending_enrolment(user: User) -> StaffTOTP:
    """The user's authenticator being set up, created with a new secret on first use.

    The same secret is kept until it is confirmed, so reloading the page shows the same QR code.
    """
    totp = authenticator_of(user)
    if totp is None:
        totp = StaffTOTP(user=user)
        totp.set_secret(new_secret())
        with transaction.atomic():
            totp, _created = StaffTOTP.objects.get_or_create(
                user=user, defaults={"sealed_secret": totp.sealed_secret}
            )
    return totp


def confirm_enrolment(request: HttpRequest, totp: StaffTOTP, code: str,
                      for_time: float | None = None) -> CodeResult:
    """Confirm a new authenticator with its first code."""
    result = check_code(request, totp, code, for_time)
    if result.ok:
        totp.confirmed_at = timezone.now()
        totp.save(update_fields=["confirmed_at"])
        audit.record(request, "staff.totp.enrolled", target_type="user",
                     target_id=str(totp.user_id))
    return result


def complete_sign_in(request: HttpRequest, user: User, totp: StaffTOTP) -> None:
    """Mark the session as having passed the second factor (after a correct code)."""
    request.session.cycle_key()  # a new session id for the raised privilege
    request.session[SESSION_KEY] = {"user": user.pk, "totp": totp.pk, "at": int(time.time())}
    request._staff_2fa_verified = True  # per-request cache of is_verified
    audit.record(request, "signin.2fa", target_type="user", target_id=str(user.pk))


def complete_sso_sign_in(request: HttpRequest, user: User, provider_id: str) -> None:
    """Mark the session as verified by the city's identity provider (single sign-on).

    The provider did the second factor, so no authenticator code is asked for; the audit log
    records that this sign-in skipped it.
    """
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"user": user.pk, "sso": provider_id, "at": int(time.time())}
    request._staff_2fa_verified = True
    audit.record(request, "signin.sso", target_type="user", target_id=str(user.pk),
                 details={"provider": provider_id,
                          "second_factor": "identity provider (authenticator code skipped)"})


def sso_provider_of(request: HttpRequest) -> str:
    """The identity provider this staff session signed in through ("" for a password)."""
    flag = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return str(flag.get("sso", "")) if isinstance(flag, dict) else ""


def staff_for_identity(email: str) -> User | None:
    """The active staff account with this e-mail address (the directory's), if any."""
    email = email.strip().lower()
    if not email:
        return None
    user = User.objects.filter(email=email, kind=User.Kind.STAFF, is_active=True).first()
    return user if user is not None and hasattr(user, "staff_profile") else None


def is_verified(request: HttpRequest) -> bool:
    """Whether the signed-in user passed the second factor in this session.

    The flag must name this user and their current, confirmed authenticator (a reset ends it)
    and be no older than a session may live.
    """
    cached = getattr(request, "_staff_2fa_verified", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    flag = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    fresh = bool(
        user is not None and user.is_authenticated and isinstance(flag, dict)
        and flag.get("user") == user.pk and isinstance(flag.get("at"), int | float)
        and 0 <= time.time() - flag["at"] <= settings.SESSION_COOKIE_AGE
    )
    if fresh and isinstance(flag, dict) and flag.get("sso"):
        # Signed in through the city's identity provider, still configured for staff.
        verified = any(p.id == flag["sso"] for p in oidc_providers("staff"))
    else:
        verified = fresh and StaffTOTP.objects.filter(
            pk=flag.get("totp") if isinstance(flag, dict) else None, user_id=user.pk,
            confirmed_at__isnull=False).exists()
    request._staff_2fa_verified = verified
    return verified


def reset_authenticator(request: HttpRequest, member: StaffMember) -> bool:
    """Remove a staff member's authenticator: they set up a new one at their next sign-in."""
    deleted, _detail = StaffTOTP.objects.filter(user_id=member.user_id).delete()
    audit.record(request, "staff.totp.reset", target_type="user", target_id=str(member.user_id),
                 details={"staff": str(member), "department": member.department.code,
                          "had_authenticator": bool(deleted)})
    return bool(deleted)


def home_url(member: StaffMember | None) -> str:
    """Where a staff member lands after signing in: the DX office has only statistics."""
    if member is not None and not member.handles_cases:
        return reverse("staff:stats")
    return reverse("staff:inbox")
