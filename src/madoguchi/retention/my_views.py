"""マイページ → アカウント削除: a confirmation page, then the deletion (docs/retention.md)."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.applications import selectors as application_selectors
from madoguchi.applications.retention import DECIDED
from madoguchi.core.models import User
from madoguchi.residents.permissions import resident_required

from . import accounts


@resident_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # resident_required let only a signed-in resident in
    errors: list[str] = []
    if request.method == "POST":
        if request.POST.get("understood") != "yes":
            errors.append(_("Tick the box to confirm that you understand what is deleted."))
        try:
            accounts.check_confirmation(user, request.POST.get("password", ""))
        except accounts.DeletionRefused as refusal:
            errors.append(_("Sign in again, then delete your account within 10 minutes.")
                          if str(refusal) == "sign in again"
                          else _("The password is not correct."))
        if not errors:
            accounts.delete_account(user, language=get_language() or "ja")
            logout(request)
            return redirect("residents:account_deleted")
    applications = list(application_selectors.for_resident(user)[:200])
    return render(request, "retention/delete_account.html", {
        "errors": errors,
        "needs_password": user.has_usable_password(),
        "may_confirm": user.has_usable_password()
        or accounts.may_confirm_without_password(user),
        "open_count": sum(1 for a in applications if a.status not in DECIDED),
        "kept_count": sum(1 for a in applications if a.status in DECIDED),
    }, status=422 if errors else 200)


def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/account_deleted.html")
