"""Abuse limits of the public pages that cost CPU or send mail, shared by every server process.

Each use of a limited action is a row (``LoginAttempt``: scope as its realm, the client address,
and a key such as an e-mail address or an account) in the database every server shares, so a
limit holds across processes and servers. A scope has a limit per client address and one per
key within a sliding window (``settings.RATE_LIMITS``, set by ``MADOGUCHI_RATE_LIMIT_<SCOPE>``,
see docs/operations.md); 0 means no limit of that kind. A refused use is not recorded, so a
client that keeps trying is let in again once the window has moved on.

The limits are soft: two requests arriving together may both pass the last free place.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginAttempt


@dataclass(frozen=True)
class Limit:
    """Uses allowed in ``window_seconds``: per client address and per key (0: unlimited)."""

    per_address: int
    per_key: int
    window_seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """``"ADDRESS/KEY/SECONDS"``, e.g. ``"20/3/3600"``; ValueError when malformed."""
        parts = text.strip().split("/")
        if len(parts) != 3:
            raise ValueError(f"a rate limit is ADDRESS/KEY/SECONDS, not {text!r}")
        per_address, per_key, window = (int(part) for part in parts)
        if per_address < 0 or per_key < 0 or window <= 0:
            raise ValueError(f"a rate limit needs counts >= 0 and a window > 0, not {text!r}")
        return cls(per_address, per_key, window)


@dataclass(frozen=True)
class Decision:
    """Whether a use may go ahead; when not, seconds until it may and which limit refused it."""

    allowed: bool
    retry_after: int = 0
    by: str = ""  # "address" or "key" when refused


ALLOWED = Decision(True)
PRUNE_CHANCE = 0.002  # about one use in 500 also deletes the uses no window reads any more


def limit_of(scope: str) -> Limit:
    """The configured limit of ``scope`` (a KeyError names a scope nobody configured)."""
    value = settings.RATE_LIMITS[scope]
    return value if isinstance(value, Limit) else Limit.parse(str(value))


def _retry_after(uses: QuerySet[LoginAttempt], allowed: int, window: timedelta) -> int:
    """Seconds until enough of ``uses`` leave the window for one more to fit."""
    count = uses.count()
    if count < allowed:
        return 0
    # The (count - allowed + 1)-th oldest use must leave the window.
    leaving = uses.order_by("at").values_list("at", flat=True)[count - allowed]
    seconds = (leaving + window - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds))


def check(scope: str, *, ip: str | None, key: str = "", record: bool = True) -> Decision:
    """Check one use of ``scope`` by the client address ``ip`` about ``key`` (an e-mail address,
    an account id; "" for none) and record it when it is allowed (unless ``record`` is False)."""
    limit = limit_of(scope)
    window = timedelta(seconds=limit.window_seconds)
    recent = LoginAttempt.objects.filter(realm=scope, at__gt=timezone.now() - window)
    key = key.strip().lower()[:254]
    if limit.per_key and key:
        wait = _retry_after(recent.filter(email=key), limit.per_key, window)
        if wait:
            return Decision(False, wait, "key")
    if limit.per_address and ip:
        wait = _retry_after(recent.filter(ip_address=ip), limit.per_address, window)
        if wait:
            return Decision(False, wait, "address")
    if record:
        LoginAttempt.objects.create(realm=scope, email=key, ip_address=ip)
        if random.random() < PRUNE_CHANCE:  # spreads the work; not about security
            prune()
    return ALLOWED


def prune() -> int:
    """Delete the counted uses of every scope older than that scope's window (returns how many);
    sign-in failures are left to their own code."""
    now = timezone.now()
    deleted = 0
    for scope in settings.RATE_LIMITS:
        window = timedelta(seconds=limit_of(scope).window_seconds)
        deleted += LoginAttempt.objects.filter(realm=scope, at__lte=now - window).delete()[0]
    return deleted


def wait_text(seconds: int) -> str:
    """「約N分」 style wording of a wait, rounded up to whole minutes above one minute."""
    if seconds < 60:
        return _("%(seconds)d seconds") % {"seconds": seconds}
    return _("%(minutes)d minutes") % {"minutes": math.ceil(seconds / 60)}


def refuse(request: HttpRequest, decision: Decision, message: str = "", *,
           fragment: bool = False) -> HttpResponse:
    """The 429 page: what happened, how long to wait (also as ``Retry-After``), and where to go.

    ``message`` says what was limited (default: a general sentence); ``fragment`` gives the
    same text without the page around it (for a view that answers a page's own script).
    """
    template = "core/includes/too_many.html" if fragment else "core/too_many.html"
    response = render(request, template, {
        "message": message or _("This was asked for too many times in a short while."),
        "wait": wait_text(decision.retry_after),
    }, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response
