"""Safe redirects after sign-in."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter if it points inside this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: redirect() would try a bare word such as "home" or "-1" as a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
