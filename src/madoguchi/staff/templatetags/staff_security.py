"""Template helpers of the staff back office."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from madoguchi.staff import services

register = template.Library()


@register.filter
def second_factor_done(request: HttpRequest | None) -> bool:
    """Whether the signed-in staff member passed both sign-in steps (menus show then)."""
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return False
    return services.is_verified(request)
