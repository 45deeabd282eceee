"""The LINE webhook, the account-link sign-in page and the resident's notification settings."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from madoguchi.channels import line, services
from madoguchi.channels.base import registry
from madoguchi.channels.selectors import line_account_for, linked_line_account, preferred_channels
from madoguchi.core import audit
from madoguchi.core.models import User
from madoguchi.core.signin import SignInForm, sign_in
from madoguchi.residents.permissions import resident_required

from . import bot

logger = logging.getLogger(__name__)

LINK_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]{8,128}")


@csrf_exempt
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    """LINE's webhook: 400 without a valid signature (nothing read or written), else 200.

    Bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are refused by Django (400) before this runs.
    """
    if not line.enabled():
        return HttpResponseNotFound("LINE is not configured")
    try:
        events = bot.parse(request.body, request.headers.get("X-Line-Signature"))
    except bot.BadSignature:
        logger.warning("LINE webhook: refused a payload with a bad or missing signature")
        return HttpResponseBadRequest("bad signature")
    except bot.BadPayload:
        return HttpResponseBadRequest("malformed payload")
    bot.handle_events(events)
    return HttpResponse("OK", content_type="text/plain")


def line_link(request: HttpRequest) -> HttpResponse:
    """LINE account linking: the resident signs in, then LINE is told who they are (a nonce)."""
    token = request.GET.get("linkToken", "")
    if not line.enabled() or not LINK_TOKEN_RE.fullmatch(token):
        return render(request, "line/line_link_invalid.html", status=400)
    initial = {"email": request.user.email} if (
        request.user.is_authenticated and request.user.is_resident) else None
    form = SignInForm(request.POST or None, initial=initial)
    result = None
    if request.method == "POST" and form.is_valid():
        result = sign_in(request, User.Kind.RESIDENT, form.cleaned_data["email"],
                         form.cleaned_data["password"])
        if result.user is not None:
            nonce = services.create_link_nonce(result.user)
            audit.record(request, "line.link_started", target_type="user",
                         target_id=str(result.user.pk))
            return redirect(f"{line.ACCOUNT_LINK_URL}?"
                            + urlencode({"linkToken": token, "nonce": nonce}))
    return render(request, "line/line_link.html",
                  {"form": form, "error": result.error if result else "", "token": token},
                  status=429 if result and result.throttled else 200)


def _choices(user: User) -> list[dict]:
    """The channels a resident may choose now (LINE only when linked and following)."""
    chosen = preferred_channels(user)
    out = []
    for _code, channel in registry.enabled():
        if channel.code == "line" and (not line.enabled() or line_account_for(user) is None):
            continue
        out.append({"code": channel.code, "label": channel.label,
                    "checked": channel.code in chosen})
    return out


@resident_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Choose e-mail and/or LINE for notices; link or unlink LINE."""
    user = request.user
    choices = _choices(user)
    error = ""
    if request.method == "POST":
        allowed = {c["code"] for c in choices}
        picked = [code for code in request.POST.getlist("channels") if code in allowed]
        if not picked:
            error = _("Choose at least one way to receive notices.")
            for choice in choices:
                choice["checked"] = False
        else:
            services.set_channel_preference(user, picked)
            messages.success(request, _("Your notification settings are saved."))
            return redirect("channels:preferences")
    account = linked_line_account(user)
    return render(request, "line/preferences.html", {
        "choices": choices, "error": error, "line_enabled": line.enabled(),
        "line_account": account, "line_reachable": line_account_for(user) is not None,
    }, status=400 if error else 200)


@resident_required
@require_POST
def line_unlink(request: HttpRequest) -> HttpResponse:
    if services.unlink_account(request.user):
        audit.record(request, "line.unlink", target_type="user", target_id=str(request.user.pk))
        messages.success(request, _("Your LINE account is no longer linked. Notices come by "
                                    "e-mail."))
    return redirect("channels:preferences")
