"""Access rule for staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .models import StaffMember


def staff_member(request: HttpRequest) -> StaffMember:
    """The signed-in staff member's profile (use inside a ``staff_required`` view)."""
    return request.user.staff_profile


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only signed-in staff with a department may use the view; residents are refused."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        if not request.user.is_staff_member or not hasattr(request.user, "staff_profile"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
