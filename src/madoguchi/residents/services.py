"""Writes for resident accounts: sign-up, confirming the e-mail address, password reset."""

from __future__ import annotations

import hashlib

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core import languages, ratelimit
from madoguchi.core.models import LoginAttempt, User
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.identity import services as identity_services
from madoguchi.identity.plugins import VerifiedIdentity

from . import tasks
from .models import Resident
from .tasks import CONFIRMATION_MAX_AGE

CONFIRM_SALT = "madoguchi.residents.confirm-email"

NOT_CONFIRMED = _(
    "Confirm your e-mail address before you send an application. Open the link in the e-mail "
    "we sent when you created your account, or ask for a new link below."
)


def sign_up(*, email: str, password: str | None, language: str = "ja",
            confirmed: bool = False) -> User:
    """Create a resident account (the caller checked the password and that the e-mail is free).

    The address is unconfirmed unless ``confirmed`` (accounts made by the city's own tools).
    """
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, kind=User.Kind.RESIDENT)
        Resident.objects.create(user=user, preferred_language=language,
                                email_confirmed_at=timezone.now() if confirmed else None)
    return user


def set_preferred_language(user: User, code: str | None) -> bool:
    """Keep a signed-in resident's language (that of their e-mail and LINE notices) in step with
    the language they chose on the site; ``False`` when nothing changed (not a resident, an
    unknown code, or the same language)."""
    language = languages.normalize(code)
    if not language or not getattr(user, "is_authenticated", False) or not user.is_resident:
        return False
    return bool(Resident.objects.filter(user=user).exclude(preferred_language=language)
                .update(preferred_language=language))


def may_send_account_mail(realm: str, email: str, ip: str | None) -> ratelimit.Decision:
    """Whether another account e-mail of ``realm`` ("signup" or "reset") may go to ``email``
    from the client address ``ip`` (recorded when it may), so the sign-up and reset pages
    cannot be used to flood someone's mailbox (``settings.RATE_LIMITS``)."""
    return ratelimit.check(realm, ip=ip, key=email)


def request_sign_up(*, email: str, password: str, language: str,
                    next_path: str = "") -> User | None:
    """Answer a sign-up alike whether or not the address already has an account.

    A new address gets an unconfirmed account and a confirmation link; an address that has an
    account gets "you already have an account" instead (its password is left alone). Both do
    the same work (one password hash, one queued e-mail), so neither the page nor its timing
    tells who has an account. Returns the new account, or None when the address had one.
    The mails to one address are limited here; the view limits and counts every sign-up from a
    client address (``ratelimit.check("signup", ...)``) alike, account or not.
    """
    email = email.strip().lower()
    created = None
    if not User.objects.filter(email=email).exists():
        try:
            created = sign_up(email=email, password=password, language=language)
        except IntegrityError:  # someone signed up with this address a moment ago
            created = None
    if created is None:
        make_password(password)  # the work creating an account would have done
    if may_send_account_mail("signup", email, None).allowed:
        if created is not None:
            enqueue_with_transaction(tasks.send_confirmation_link, user_id=created.pk,
                                     token=confirmation_token(created), next_path=next_path)
        else:
            enqueue_with_transaction(tasks.send_account_exists, email=email, language=language,
                                     next_path=next_path)
    return created


def confirmation_token(user: User) -> str:
    """A signed, expiring token that confirms ``user``'s current e-mail address."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT)


def user_of_confirmation(token: str) -> User | None:
    """The resident a confirmation token names, if it is genuine, fresh and still their address."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT,
                             max_age=CONFIRMATION_MAX_AGE.total_seconds())
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = User.objects.filter(pk=data["u"], kind=User.Kind.RESIDENT, is_active=True).first()
    if user is None or user.email != data.get("e"):
        return None
    return user


def confirm_email(user: User) -> bool:
    """Mark ``user``'s address as confirmed; False when it already was."""
    profile, _created = Resident.objects.get_or_create(user=user)
    if profile.email_confirmed_at is not None:
        return False
    return bool(Resident.objects.filter(pk=profile.pk, email_confirmed_at__isnull=True)
                .update(email_confirmed_at=timezone.now()))


def resend_confirmation(user: User, ip: str | None, next_path: str = "") -> ratelimit.Decision:
    """Send ``user`` a new confirmation link, unless too many went out lately (then refused)."""
    decision = may_send_account_mail("signup", user.email, ip)
    if decision.allowed:
        enqueue_with_transaction(tasks.send_confirmation_link, user_id=user.pk,
                                 token=confirmation_token(user), next_path=next_path)
    return decision


def request_password_reset(*, email: str, language: str) -> None:
    """Mail a reset link if ``email`` is an active resident's; say nothing either way.

    The mails to one address are limited here (silently); the view limits and counts every
    request from a client address alike, so its limit tells nothing about who has an account.
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email, kind=User.Kind.RESIDENT, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    if may_send_account_mail("reset", email, None).allowed:
        enqueue_with_transaction(tasks.send_password_reset, user_id=user.pk, language=language)


def password_was_reset(user: User) -> None:
    """After a reset through the mailed link: the address is proven, old failures forgiven."""
    confirm_email(user)
    LoginAttempt.objects.filter(realm=User.Kind.RESIDENT, email=user.email).delete()


class IdentitySignInRefused(Exception):
    """A provider identity cannot sign in here (``message`` for the resident)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The domain of the address an account gets when its provider gave none (RFC 2606: never
# delivered); the resident is asked for a real address before applying.
PLACEHOLDER_DOMAIN = "@id.invalid"
ALREADY_LINKED = _("This identity is already linked to another account. Sign in with that "
                   "account, or unlink it there first.")


def account_for_identity(identity: VerifiedIdentity, *, language: str = "ja") -> User:
    """The resident account linked to ``identity``, or a new one linked to it.

    A new account takes the provider's verified e-mail address; when an account already has
    that address it is not taken over: the resident signs in with the password and links the
    identity on the my page. Without an address the account gets a placeholder one (unconfirmed,
    so applications ask for a real address first).
    """
    user = identity_services.linked_user(identity)
    if user is not None:
        if not user.is_resident or not user.is_active:
            raise IdentitySignInRefused(str(_("This identity cannot sign in here.")))
        return user
    claims = identity.claims or {}
    email = str(claims.get("email") or "").strip().lower()
    verified = bool(email) and claims.get("email_verified") is True
    if email and User.objects.filter(email=email).exists():
        raise IdentitySignInRefused(str(_(
            "An account with the e-mail address %(email)s already exists. Sign in with its "
            "password, then link the identity on My page.") % {"email": email}))
    if not verified:
        digest = hashlib.sha256(f"{identity.provider}:{identity.subject}".encode()).hexdigest()
        email = f"{identity.provider}-{digest[:24]}{PLACEHOLDER_DOMAIN}"
    with transaction.atomic():
        user = sign_up(email=email, password=None, language=language, confirmed=verified)
        if identity.name:
            User.objects.filter(pk=user.pk).update(display_name=identity.name[:100])
        identity_services.link(user, identity, refused_message=str(ALREADY_LINKED))
    return user


def has_placeholder_email(user: User) -> bool:
    """Whether the account came from an identity provider that gave no e-mail address."""
    return user.email.endswith(PLACEHOLDER_DOMAIN)


def give_email(user: User, email: str, *, ip: str | None, language: str,
               next_path: str = "") -> ratelimit.Decision:
    """An account made through an identity provider without an address takes ``email``.

    Answered alike whether or not the address has an account (that one's owner is told by
    mail instead, and this account keeps waiting for an address); a new address gets the
    confirmation link, as at sign-up.
    """
    email = email.strip().lower()
    decision = may_send_account_mail("signup", email, ip)
    if not decision.allowed or not has_placeholder_email(user):
        return decision
    if User.objects.filter(email=email).exists():
        enqueue_with_transaction(tasks.send_account_exists, email=email, language=language,
                                 next_path=next_path)
        return decision
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(email=email)
    except IntegrityError:  # taken a moment ago
        return decision
    user.email = email
    enqueue_with_transaction(tasks.send_confirmation_link, user_id=user.pk,
                             token=confirmation_token(user), next_path=next_path)
    return decision


def link_identity(user: User, identity: VerifiedIdentity) -> None:
    """Link ``identity`` to the signed-in resident; IdentitySignInRefused when held elsewhere."""
    try:
        identity_services.link(user, identity, refused_message=str(ALREADY_LINKED))
    except identity_services.LinkRefused as exc:
        raise IdentitySignInRefused(exc.message) from exc
