"""Staff sign-in (password, then an authenticator code) and authenticator resets."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.core import audit
from madoguchi.core.models import User
from madoguchi.core.navigation import safe_next
from madoguchi.core.signin import sign_in_page
from madoguchi.identity.contrib.oidc.provider import (
    OIDCProvider,
    ProviderUnavailable,
    oidc_providers,
)
from madoguchi.identity.plugins import IdentityError

from . import selectors, services
from .forms import CodeForm
from .models import StaffMember
from .permissions import role_required, staff_member

Role = StaffMember.Role


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: the password. Step two follows on the code (or set-up) page."""
    return sign_in_page(request, User.Kind.STAFF, "staff/login.html",
                        _with_next(reverse("staff:two_factor"), safe_next(request, "")),
                        extra_context={"identity_providers": oidc_providers("staff")})


def _staff_provider(provider_id: str) -> OIDCProvider:
    for provider in oidc_providers("staff"):
        if provider.id == provider_id:
            return provider
    raise Http404


def _sso_refused(request: HttpRequest, provider: OIDCProvider, message: str,
                 reason: str, status: int) -> HttpResponse:
    audit.record(request, "signin.sso.refused", target_type="identity_provider",
                 target_id=provider.id, details={"reason": reason})
    return render(request, "staff/sso_problem.html",
                  {"provider": provider, "message": message}, status=status)


def sso_start(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Single sign-on: go to the city's identity provider."""
    provider = _staff_provider(provider_id)
    try:
        return provider.start(request, next_url=safe_next(request, ""))
    except IdentityError as error:
        return _sso_refused(request, provider, error.message, getattr(error, "reason", ""),
                            503 if isinstance(error, ProviderUnavailable) else 400)


def sso_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The city's identity provider sends the staff member back: match them by e-mail."""
    provider = _staff_provider(provider_id)
    next_path = provider.pending_next(request)
    try:
        identity = provider.complete(request)
    except IdentityError as error:
        return _sso_refused(request, provider, error.message, getattr(error, "reason", ""),
                            503 if isinstance(error, ProviderUnavailable) else 400)
    email = str((identity.claims or {}).get("email") or "")
    user = services.staff_for_identity(email)
    if user is None:
        return _sso_refused(request, provider, _(
            "No staff account has the e-mail address the directory gave. Ask your "
            "administrator to check your account."), "unknown_email", 403)
    if request.user.is_authenticated:
        logout(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    services.complete_sso_sign_in(request, user, provider.id)
    return redirect(next_path or services.home_url(user.staff_profile))


def _password_step_user(request: HttpRequest) -> StaffMember | HttpResponse:
    """The staff member who passed the password step, or the response that sends others away."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    if not request.user.is_staff_member or not hasattr(request.user, "staff_profile"):
        raise PermissionDenied
    return request.user.staff_profile


def _code_page(request: HttpRequest, template: str, context: dict,
               result: services.CodeResult | None) -> HttpResponse:
    status = 429 if result is not None and result.throttled else 200
    return render(request, template, {**context, "demo": settings.DEMO}, status=status)


def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Step two: the current code of the staff member's authenticator app."""
    member = _password_step_user(request)
    if isinstance(member, HttpResponse):
        return member
    next_url = safe_next(request, services.home_url(member))
    if services.is_verified(request):
        return redirect(next_url)
    totp = services.authenticator_of(request.user)
    if totp is None or not totp.confirmed:
        return redirect(_with_next(reverse("staff:two_factor_setup"), safe_next(request, "")))
    form = CodeForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.check_code(request, totp, form.cleaned_data["code"])
        if result.ok:
            services.complete_sign_in(request, request.user, totp)
            return redirect(next_url)
        form.add_error("code", result.error)
    return _code_page(request, "staff/two_factor.html",
                      {"form": form, "next": safe_next(request, "")}, result)


def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    """First sign-in (or after a reset): add the account to an authenticator app, confirm it."""
    member = _password_step_user(request)
    if isinstance(member, HttpResponse):
        return member
    totp = services.authenticator_of(request.user)
    if totp is not None and totp.confirmed:
        # Replacing a confirmed authenticator needs an administrator's reset.
        return redirect(_with_next(reverse("staff:two_factor"), safe_next(request, "")))
    totp = services.pending_enrolment(request.user)
    form = CodeForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.confirm_enrolment(request, totp, form.cleaned_data["code"])
        if result.ok:
            services.complete_sign_in(request, request.user, totp)
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect(safe_next(request, services.home_url(member)))
        form.add_error("code", result.error)
    secret = totp.secret()
    return _code_page(request, "staff/two_factor_setup.html", {
        "form": form, "next": safe_next(request, ""),
        "qr": services.qr_svg(services.provisioning_uri(secret, request.user),
                              _("QR code for your authenticator app")),
        "secret_groups": services.grouped(secret),
        "digits": services.DIGITS, "interval": services.INTERVAL,
    }, result)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out, and out of the city's identity provider after a single sign-on."""
    provider_id = services.sso_provider_of(request)
    provider_logout = None
    for provider in oidc_providers("staff"):
        if provider.id == provider_id:
            provider_logout = provider.logout(request, next_url=reverse("staff:login"))
    logout(request)
    return provider_logout or redirect("staff:login")


# --- Authenticator resets (administrators, own department) -------------------------------------


@role_required(Role.ADMIN)
def two_factor_admin_view(request: HttpRequest) -> HttpResponse:
    """The department's staff and whether each has set up two-factor sign-in."""
    admin = staff_member(request)
    return render(request, "staff/two_factor_admin.html", {
        "department": admin.department,
        "rows": selectors.department_staff(admin.department_id),
        "me": admin,
    })


@role_required(Role.ADMIN)
def two_factor_reset_view(request: HttpRequest, member_id: int) -> HttpResponse:
    """Ask once, naming the person; on POST remove their authenticator (audit-logged)."""
    admin = staff_member(request)
    member = (StaffMember.objects.select_related("user", "department")
              .filter(pk=member_id, department_id=admin.department_id).first())
    if member is None:
        raise Http404
    if member.pk == admin.pk:
        messages.error(request, _("You cannot reset your own two-factor sign-in. "
                                  "Ask another administrator."))
        return redirect("staff:two_factor_admin")
    if request.method == "POST":
        services.reset_authenticator(request, member)
        messages.success(request, _("Two-factor sign-in of %(name)s was reset. They set up "
                                    "their authenticator app again at their next sign-in.")
                         % {"name": member})
        return redirect("staff:two_factor_admin")
    return render(request, "staff/two_factor_reset.html", {"member": member})
