"""Staff sign-in (a separate flow from residents')."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from madoguchi.core.models import User
from madoguchi.core.navigation import safe_next
from madoguchi.core.signin import SignInForm, sign_in


def login_view(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = sign_in(
            request, User.Kind.STAFF, form.cleaned_data["email"], form.cleaned_data["password"]
        )
        if result.user is not None:
            return redirect(safe_next(request, reverse("staff:inbox")))
    return render(
        request,
        "staff/login.html",
        {"form": form, "error": result.error if result else "", "next": safe_next(request, "")},
        status=429 if result and result.throttled else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("staff:login")
