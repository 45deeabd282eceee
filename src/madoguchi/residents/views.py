"""Resident sign-up, sign-in and the my page."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from madoguchi.applications import drafts
from madoguchi.applications import selectors as application_selectors
from madoguchi.core.models import User
from madoguchi.core.navigation import safe_next
from madoguchi.core.signin import SignInForm, sign_in

from . import services
from .forms import SignUpForm
from .permissions import resident_required


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            language=translation.get_language() or "ja",
        )
        sign_in(request, User.Kind.RESIDENT, user.email, form.cleaned_data["password"])
        return redirect(safe_next(request, reverse("residents:mypage")))
    return render(request, "residents/signup.html", {"form": form, "next": safe_next(request, "")})


def login_view(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = sign_in(
            request, User.Kind.RESIDENT, form.cleaned_data["email"], form.cleaned_data["password"]
        )
        if result.user is not None:
            return redirect(safe_next(request, reverse("residents:mypage")))
    return render(
        request,
        "residents/login.html",
        {"form": form, "error": result.error if result else "", "next": safe_next(request, "")},
        status=429 if result and result.throttled else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("catalog:home")


@resident_required
def mypage(request: HttpRequest) -> HttpResponse:
    applications = application_selectors.for_resident(request.user)[:100]
    return render(request, "residents/mypage.html",
                  {"applications": applications, "drafts": drafts.for_resident(request.user)})
