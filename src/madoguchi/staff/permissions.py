"""Access rules for staff pages: signed in with both factors, then by role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import services
from .models import StaffMember

View = Callable[..., HttpResponse]


def staff_member(request: HttpRequest) -> StaffMember:
    """The signed-in staff member's profile (use inside a ``staff_required`` view)."""
    return request.user.staff_profile


def second_factor_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """To the code page (or the authenticator set-up), coming back to this page afterwards."""
    return HttpResponseRedirect(
        f"{reverse('staff:two_factor')}?{urlencode({'next': request.get_full_path()})}"
    )


def staff_required(view: View) -> View:
    """Only staff with a department who passed both sign-in steps; residents are refused.

    After the password alone, the request is sent to the second-factor page.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        if not request.user.is_staff_member or not hasattr(request.user, "staff_profile"):
            raise PermissionDenied
        if not services.is_verified(request):
            return second_factor_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[View], View]:
    """``staff_required`` and one of ``roles`` (``StaffMember.Role`` values), else 403."""
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if staff_member(request).role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return staff_required(wrapper)

    return decorator


def case_handler_required(view: View) -> View:
    """``staff_required`` and a role that works on applications (not the DX office), else 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_member(request).handles_cases:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_required(wrapper)
