"""Resident sign-up (with a confirmation link), sign-in and password reset.

The my page, which lists the resident's applications, is served by ``applications.my_views``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from madoguchi.core import audit, ratelimit
from madoguchi.core.models import User
from madoguchi.core.navigation import safe_next
from madoguchi.core.signin import sign_in_page
from madoguchi.identity import services as identity_services
from madoguchi.identity.contrib.oidc.provider import (
    OIDCProvider,
    ProviderUnavailable,
    oidc_providers,
)
from madoguchi.identity.plugins import IdentityError, VerifiedIdentity

from . import selectors, services
from .forms import PasswordResetRequestForm, ResidentSetPasswordForm, SignUpForm
from .permissions import resident_required

SIGNUP_EMAIL = "signup_email"  # session: the address typed on the sign-up page
SIGNUP_USER = "signup_user"  # session: the account this browser created (new addresses only)
RESET_EMAIL = "reset_email"  # session: the address typed on the password reset page


def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch (Django's ``set_language``): it sets the language cookie, and a
    signed-in resident's account follows, so their notices go out in the language they chose."""
    response = django_set_language(request)
    cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie is not None and cookie.value:
        services.set_preferred_language(request.user, cookie.value)
    return response


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account; the same answer whether or not the address already has one."""
    form = SignUpForm(request.POST or None)
    next_path = safe_next(request, "")
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # Every sign-up counts against the client address (refused past its limit, whatever
        # was typed); too many mails to one e-mail address are not sent, with the same answer.
        decision = ratelimit.check("signup", ip=audit.client_ip(request))
        if not decision.allowed:
            return ratelimit.refuse(request, decision, _("Too many accounts were asked for "
                                                         "from this network."))
        created = services.request_sign_up(
            email=email, password=form.cleaned_data["password"],
            language=translation.get_language() or "ja",
            next_path=next_path,
        )
        # The session is written alike in both cases; only this server can read it.
        request.session[SIGNUP_EMAIL] = email
        request.session[SIGNUP_USER] = created.pk if created is not None else None
        target = reverse("residents:signup_sent")
        return redirect(f"{target}?{urlencode({'next': next_path})}" if next_path else target)
    return render(request, "residents/signup.html", {"form": form, "next": next_path})


def signup_sent(request: HttpRequest) -> HttpResponse:
    """"Check your e-mail": shown after every sign-up, new address or not."""
    return render(request, "residents/signup_sent.html", {
        "email": request.session.get(SIGNUP_EMAIL, ""), "next": safe_next(request, ""),
        "days": services.CONFIRMATION_MAX_AGE.days,
    })


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation e-mail: a button confirms (a mail scanner's GET does not).

    In the browser that signed up, confirming also signs in and goes on to ``next``.
    """
    user = services.user_of_confirmation(token[:500])
    next_path = safe_next(request, "")
    if user is None:
        return render(request, "residents/confirm_invalid.html", status=400)
    if request.method != "POST":
        return render(request, "residents/confirm.html", {
            "email": user.email, "next": next_path,
            "already": selectors.email_confirmed(user)})
    if services.confirm_email(user):
        audit.record(request, "signup.confirmed", target_type="user", target_id=str(user.pk))
    same_browser = request.session.get(SIGNUP_USER) == user.pk
    signed_in_as_user = request.user.is_authenticated and request.user.pk == user.pk
    if same_browser and not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        audit.record(request, "signin", target_type="user", target_id=str(user.pk),
                     details={"via": "signup confirmation"})
        signed_in_as_user = True
    request.session.pop(SIGNUP_USER, None)
    if signed_in_as_user:
        messages.success(request, _("Your e-mail address is confirmed. You can now send "
                                    "applications."))
        return redirect(next_path or reverse("residents:mypage"))
    return render(request, "residents/confirmed.html", {"next": next_path})


@resident_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Send the signed-in resident a new confirmation link."""
    next_path = safe_next(request, reverse("residents:mypage"))
    if selectors.email_confirmed(request.user):
        messages.success(request, _("Your e-mail address is already confirmed."))
    else:
        decision = services.resend_confirmation(request.user, audit.client_ip(request),
                                                next_path=next_path)
        if not decision.allowed:
            return ratelimit.refuse(request, decision, _(
                "We have already sent several links in the last hour. Check your mailbox (and "
                "its spam folder), or try again later."))
        messages.success(request, _("We sent a new link to %(email)s. Open it to confirm your "
                                    "address.") % {"email": request.user.email})
    return redirect(next_path)


def login_view(request: HttpRequest) -> HttpResponse:
    return sign_in_page(request, User.Kind.RESIDENT, "residents/login.html",
                        safe_next(request, reverse("residents:mypage")),
                        extra_context={"identity_providers": oidc_providers("resident")})


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link; the same answer whether or not the address has an account."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        decision = ratelimit.check("reset", ip=audit.client_ip(request))
        if not decision.allowed:  # every request counts, so the limit tells nobody who has one
            return ratelimit.refuse(request, decision, _("Too many password resets were asked "
                                                         "for from this network."))
        services.request_password_reset(email=email,
                                        language=translation.get_language() or "ja")
        request.session[RESET_EMAIL] = email
        return redirect("residents:password_reset_sent")
    return render(request, "residents/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "residents/password_reset_sent.html", {
        "email": request.session.get(RESET_EMAIL, "")})


class ResidentPasswordResetConfirmView(PasswordResetConfirmView):
    """Django's reset-link view (the token leaves the address bar at once), residents only."""

    form_class = ResidentSetPasswordForm
    template_name = "residents/password_reset_confirm.html"
    success_url = reverse_lazy("residents:login")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_resident and user.is_active else None

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(*args, **kwargs)
        if not getattr(self, "validlink", False) and response.status_code == 200:
            response.status_code = 400  # an expired, used or mistyped link
        return response

    def form_valid(self, form: ResidentSetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        services.password_was_reset(form.user)
        audit.record(self.request, "password.reset", target_type="user",
                     target_id=str(form.user.pk))
        messages.success(self.request, _("Your password is changed. Sign in with the new "
                                         "password."))
        return response


password_reset_confirm = ResidentPasswordResetConfirmView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out here, and at the identity provider too when the resident came through one."""
    verified = request.session.get(VERIFIED_IDENTITY)
    provider_logout = None
    if isinstance(verified, dict):
        for provider in oidc_providers("resident"):
            if provider.id == verified.get("provider"):
                provider_logout = provider.logout(request, next_url=reverse("catalog:home"))
    logout(request)
    return provider_logout or redirect("catalog:home")


# --- Sign-in through an identity provider (OpenID Connect) ---------------------------------------

VERIFIED_IDENTITY = selectors.VERIFIED_IDENTITY
LINK_INTENT = "oidc_link"  # session: the provider the signed-in resident is linking


def _resident_provider(provider_id: str) -> OIDCProvider:
    for provider in oidc_providers("resident"):
        if provider.id == provider_id:
            return provider
    raise Http404


def _identity_problem(request: HttpRequest, provider: OIDCProvider,
                      error: IdentityError) -> HttpResponse:
    unavailable = isinstance(error, ProviderUnavailable)
    audit.record(request, "signin.idp.refused", target_type="identity_provider",
                 target_id=provider.id, details={"reason": getattr(error, "reason", "")})
    return render(request, "residents/identity_problem.html", {
        "provider": provider, "message": error.message, "unavailable": unavailable,
    }, status=503 if unavailable else 400)


def remember_identity(request: HttpRequest, identity: VerifiedIdentity,
                      provider: OIDCProvider) -> None:
    """Keep what the provider verified in the session, for the forms that need it."""
    request.session[VERIFIED_IDENTITY] = {
        "provider": identity.provider, "label": provider.config.label.get("ja", provider.id),
        "label_en": provider.config.label.get("en", ""),
        "subject": identity.subject, "level": int(identity.assurance),
        "name": identity.name, "name_kana": identity.name_kana, "address": identity.address,
        "birth_date": identity.birth_date.isoformat() if identity.birth_date else "",
        "sex": identity.sex, "at": timezone.now().isoformat(), "user": request.user.pk,
        "address_parts": _address_parts(identity),
    }


def _address_parts(identity: VerifiedIdentity) -> dict[str, str]:
    """The structured address (OIDC ``address`` claim) when the provider released one."""
    address = (identity.claims or {}).get("address")
    if not isinstance(address, dict):
        return {}
    return {k: str(address.get(k, ""))[:200] for k in
            ("postal_code", "region", "locality", "street_address") if address.get(k)}


def oidc_start(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Go to the provider's sign-in (a link on the sign-in page, or from a form that needs it)."""
    provider = _resident_provider(provider_id)
    if request.user.is_authenticated and not request.user.is_resident:
        raise PermissionDenied
    request.session.pop(LINK_INTENT, None)
    try:
        return provider.start(request, next_url=safe_next(request, reverse("residents:mypage")))
    except IdentityError as error:
        return _identity_problem(request, provider, error)


@resident_required
@require_POST
def oidc_link(request: HttpRequest, provider_id: str) -> HttpResponse:
    """My page: link this account to the provider (the resident signs in there once)."""
    provider = _resident_provider(provider_id)
    request.session[LINK_INTENT] = provider.id
    try:
        return provider.start(request, next_url=reverse("residents:mypage"))
    except IdentityError as error:
        return _identity_problem(request, provider, error)


@resident_required
@require_POST
def oidc_unlink(request: HttpRequest, provider_id: str) -> HttpResponse:
    provider = _resident_provider(provider_id)
    if identity_services.unlink(request.user, provider.id):
        audit.record(request, "identity.unlinked", target_type="user",
                     target_id=str(request.user.pk), details={"provider": provider.id})
        messages.success(request, _("The account is no longer linked to %(provider)s.")
                         % {"provider": provider.display_label})
    verified = request.session.get(VERIFIED_IDENTITY)
    if isinstance(verified, dict) and verified.get("provider") == provider.id:
        del request.session[VERIFIED_IDENTITY]
    return redirect("residents:mypage")


def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The provider sends the resident back here: verify, then sign in (or link)."""
    provider = _resident_provider(provider_id)
    if request.user.is_authenticated and not request.user.is_resident:
        raise PermissionDenied
    next_path = provider.pending_next(request) or reverse("residents:mypage")
    linking = request.session.pop(LINK_INTENT, None) == provider.id
    try:
        identity = provider.complete(request)
    except IdentityError as error:
        return _identity_problem(request, provider, error)
    try:
        if request.user.is_authenticated:
            services.link_identity(request.user, identity)
            user = request.user
            if linking:
                messages.success(request, _("Your account is now linked to %(provider)s.")
                                 % {"provider": provider.display_label})
        else:
            user = services.account_for_identity(
                identity, language=translation.get_language() or "ja")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    except services.IdentitySignInRefused as exc:
        audit.record(request, "signin.idp.refused", target_type="identity_provider",
                     target_id=provider.id, details={"reason": "link"})
        return render(request, "residents/identity_problem.html", {
            "provider": provider, "message": exc.message, "unavailable": False}, status=409)
    remember_identity(request, identity, provider)
    audit.record(request, "identity.linked" if linking else "signin.idp", target_type="user",
                 target_id=str(user.pk),
                 details={"provider": provider.id, "level": int(identity.assurance)})
    if not next_path.startswith("/"):
        next_path = reverse("residents:mypage")
    if services.has_placeholder_email(user):  # the provider gave no address: ask for one
        return redirect(f"{reverse('residents:identity_email')}?{urlencode({'next': next_path})}")
    return redirect(next_path)


@resident_required
def identity_email(request: HttpRequest) -> HttpResponse:
    """An account made through an identity provider that gave no address: ask for one (the
    city's replies and receipts go there), confirmed by a link as at sign-up."""
    next_path = safe_next(request, reverse("residents:mypage"))
    if not services.has_placeholder_email(request.user):
        return redirect(next_path)
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        decision = services.give_email(request.user, email, ip=audit.client_ip(request),
                                       language=translation.get_language() or "ja",
                                       next_path=next_path)
        if not decision.allowed:
            return ratelimit.refuse(request, decision, _("Too many confirmation links were "
                                                         "asked for."))
        request.session[SIGNUP_EMAIL] = email
        return redirect(f"{reverse('residents:signup_sent')}?{urlencode({'next': next_path})}")
    return render(request, "residents/identity_email.html", {"form": form, "next": next_path},
                  status=422 if form.errors else 200)
