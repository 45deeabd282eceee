"""The waiting room for the opening rush (順番待ち).

When a service with an admission rate (``Service.admission_per_minute`` > 0) opens its bookings
(``Service.bookings_open_at``), visitors enter the booking pages in arrival order:

* On a visitor's first arrival after the opening, one atomic
  ``UPDATE … SET issued = issued + 1 … RETURNING issued`` on the service's ``QueueCounter`` gives
  a ticket number ``n``, kept in a signed cookie (one cookie per service).
* ``admitted(t) = burst + floor(rate × minutes since opening)``; ticket ``n`` is admitted from
  ``T(n)``, the moment ``admitted(t)`` reaches ``n``.
* The ticket is also the admission pass: it lets its holder into the booking pages for
  ``PASS_MINUTES`` from ``max(T(n), issued at)``. ``gate`` checks it on every booking request,
  POSTs included, so nobody skips the line by posting directly. So at most about
  ``rate × PASS_MINUTES`` visitors are in the booking pages at once.
* Everyone else is sent to the waiting page, which shows the position and the estimated wait and
  reloads itself through the HTTP ``Refresh`` header (no JavaScript). It reads only the signed
  cookie and a per-process snapshot of the service (refreshed every few seconds), so a poll costs
  no database query.
* The rush lasts ``RUSH_MINUTES`` after the opening, longer while tickets issued are still waiting
  (the counter is read at most every few seconds per process); after it the gate lets everyone in.
* Staff (signed in with the second factor) pass straight through: phone bookings are never queued.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from madoguchi.staff.services import is_verified


def _now() -> datetime:
    return timezone.now()


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, f"RESERVATIONS_WAITING_ROOM_{name}", default))


# Defaults, each overridable with a RESERVATIONS_WAITING_ROOM_<NAME> setting.
BURST_MINUTES = 1  # admitted at the opening moment: this many minutes' worth of the rate
PASS_MINUTES = 15  # how long an admitted visitor may stay in the booking pages
RUSH_MINUTES = 60  # the gate stays active at least this long after the opening
SNAPSHOT_SECONDS = 5  # how long a process trusts its copy of the service and the counter
MAX_REFRESH_SECONDS = 30  # the waiting page reloads at least this often
PREOPEN_REFRESH_SECONDS = 900  # before the opening, reload at the opening moment if this near

COOKIE_PREFIX = "mg_queue_"
SALT = "madoguchi.reservations.waiting_room"


@dataclass(frozen=True)
class Snapshot:
    """What the waiting room needs to know about a service."""

    service_id: int
    name: Any
    open_at: datetime | None
    rate: int

    @property
    def active(self) -> bool:
        return bool(self.rate > 0 and self.open_at is not None)

    @property
    def burst(self) -> int:
        return max(1, self.rate * _setting("BURST_MINUTES", BURST_MINUTES))

    def admitted(self, now: datetime) -> int:
        """How many tickets are admitted at ``now``."""
        assert self.open_at is not None
        minutes = max(0.0, (now - self.open_at).total_seconds() / 60)
        return self.burst + math.floor(self.rate * minutes)

    def admission_time(self, number: int) -> datetime:
        """The first moment ticket ``number`` is admitted."""
        assert self.open_at is not None
        if number <= self.burst:
            return self.open_at
        return self.open_at + timedelta(minutes=(number - self.burst) / self.rate)

    def rush_end(self, issued: int) -> datetime:
        """The gate stays on until RUSH_MINUTES after the opening and every ticket is in."""
        assert self.open_at is not None
        minimum = self.open_at + timedelta(minutes=_setting("RUSH_MINUTES", RUSH_MINUTES))
        return max(minimum, self.admission_time(issued))


@dataclass(frozen=True)
class Ticket:
    number: int
    issued_at: datetime

    def admitted_at(self, snapshot: Snapshot) -> datetime:
        return max(snapshot.admission_time(self.number), self.issued_at)

    def expires_at(self, snapshot: Snapshot) -> datetime:
        return self.admitted_at(snapshot) + timedelta(
            minutes=_setting("PASS_MINUTES", PASS_MINUTES)
        )


def snapshot_of(service: Any) -> Snapshot:
    return Snapshot(
        service_id=service.pk,
        name=getattr(service, "name", ""),
        open_at=service.bookings_open_at,
        rate=int(service.admission_per_minute or 0),
    )


# Per-process caches: service id -> (monotonic time fetched, value).
_snapshots: dict[int, tuple[float, Snapshot | None]] = {}
_issued: dict[int, tuple[float, int]] = {}


def clear_caches() -> None:
    """Forget the per-process copies (tests, and after staff change a service)."""
    _snapshots.clear()
    _issued.clear()


def cached_snapshot(service_id: int) -> Snapshot | None:
    """The service's snapshot, read from the database at most every SNAPSHOT_SECONDS."""
    now = time.monotonic()
    hit = _snapshots.get(service_id)
    if hit is not None and now - hit[0] < _setting("SNAPSHOT_SECONDS", SNAPSHOT_SECONDS):
        return hit[1]
    service_model = apps.get_model("reservations", "Service")
    service = (
        service_model.objects.filter(pk=service_id)
        .only("pk", "name", "bookings_open_at", "admission_per_minute")
        .first()
    )
    snap = snapshot_of(service) if service is not None else None
    _snapshots[service_id] = (now, snap)
    return snap


def _counter_model() -> Any:
    return apps.get_model("reservations", "QueueCounter")


def issued_count(service_id: int) -> int:
    """Tickets issued for the service, read at most every SNAPSHOT_SECONDS per process."""
    now = time.monotonic()
    hit = _issued.get(service_id)
    if hit is not None and now - hit[0] < _setting("SNAPSHOT_SECONDS", SNAPSHOT_SECONDS):
        return hit[1]
    value = (
        _counter_model()
        .objects.filter(service_id=service_id)
        .values_list("issued", flat=True)
        .first()
    ) or 0
    _issued[service_id] = (now, value)
    return value


def issue_ticket(service_id: int) -> int:
    """The next ticket number: one atomic UPDATE … RETURNING (SQLite ≥ 3.35, PostgreSQL)."""
    model = _counter_model()
    table = connection.ops.quote_name(model._meta.db_table)
    issued = connection.ops.quote_name(model._meta.get_field("issued").column)
    service_col = connection.ops.quote_name(model._meta.get_field("service").column)
    # Identifiers come from the model and are quoted; the value is a parameter.
    sql = f"UPDATE {table} SET {issued} = {issued} + 1 WHERE {service_col} = %s"  # noqa: S608
    sql += f" RETURNING {issued}"
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [service_id])
            row = cursor.fetchone()
        if row is not None:
            number = int(row[0])
            previous = _issued.get(service_id)
            if previous is None or previous[1] < number:
                _issued[service_id] = (time.monotonic(), number)
            return number
        model.objects.get_or_create(service_id=service_id, defaults={"issued": 0})
    raise RuntimeError("queue counter missing")  # pragma: no cover - get_or_create made it


# -- The signed cookie ---------------------------------------------------------------------------


def cookie_name(service_id: int) -> str:
    return f"{COOKIE_PREFIX}{service_id}"


def _opening_stamp(snapshot: Snapshot) -> int:
    assert snapshot.open_at is not None
    return int(snapshot.open_at.timestamp())


def read_ticket(request: HttpRequest, snapshot: Snapshot) -> Ticket | None:
    """The visitor's ticket for this opening, or None (absent, tampered, another opening)."""
    raw = request.COOKIES.get(cookie_name(snapshot.service_id))
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=f"{SALT}.{snapshot.service_id}")
        service_id, opening, number, issued_at = value
        if (
            int(service_id) != snapshot.service_id
            or int(opening) != _opening_stamp(snapshot)
            or int(number) < 1
        ):
            return None
        return Ticket(
            number=int(number),
            issued_at=datetime.fromtimestamp(int(issued_at), tz=timezone.get_current_timezone()),
        )
    except (signing.BadSignature, ValueError, TypeError, OverflowError, OSError):
        return None


def set_ticket_cookie(
    response: HttpResponse, snapshot: Snapshot, ticket: Ticket, request: HttpRequest
) -> None:
    value = signing.dumps(
        [
            snapshot.service_id,
            _opening_stamp(snapshot),
            ticket.number,
            int(ticket.issued_at.timestamp()),
        ],
        salt=f"{SALT}.{snapshot.service_id}",
        compress=False,
    )
    response.set_cookie(
        cookie_name(snapshot.service_id),
        value,
        max_age=2 * 24 * 3600,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def new_ticket(snapshot: Snapshot, now: datetime) -> Ticket:
    # Whole seconds, as stored in the cookie.
    return Ticket(number=issue_ticket(snapshot.service_id), issued_at=now.replace(microsecond=0))


# -- The gate ------------------------------------------------------------------------------------


def is_staff_request(request: HttpRequest) -> bool:
    """A staff member signed in with the second factor (booking for a phone caller)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return False
    return is_verified(request)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()})
    ):
        return candidate
    return "/"


def waiting_url(service_id: int, next_url: str, **extra: str) -> str:
    query = {"next": next_url, **extra}
    return f"{reverse('reservations:waiting_room', args=[service_id])}?{urlencode(query)}"


def _redirect(url: str, status: int = 302) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = status
    return response


def _rush_over(snapshot: Snapshot, now: datetime) -> bool:
    """After RUSH_MINUTES, once every ticket issued has been admitted (counter read ≤ 1/5 s)."""
    assert snapshot.open_at is not None
    minimum = snapshot.open_at + timedelta(minutes=_setting("RUSH_MINUTES", RUSH_MINUTES))
    return now >= minimum and now >= snapshot.rush_end(issued_count(snapshot.service_id))


def gate(request: HttpRequest, service: Any) -> HttpResponse | None:
    """None when the visitor may use the booking page now, else the response to send instead.

    Call it at the top of every booking view (GET and POST), after loading the service. It
    returns None when the service has no admission rate, outside the rush, for staff, and for a
    visitor holding a valid pass; otherwise a redirect to the waiting page (a POST without a valid
    pass gets a 303 and books nothing).
    """
    snapshot = snapshot_of(service)
    if not snapshot.active:
        return None
    now = _now()
    assert snapshot.open_at is not None
    if _rush_over(snapshot, now):
        return None
    if is_staff_request(request):
        return None
    here = request.get_full_path()
    is_read = request.method in ("GET", "HEAD")
    status = 302 if is_read else 303
    if now < snapshot.open_at:
        return _redirect(waiting_url(snapshot.service_id, here), status)
    ticket = read_ticket(request, snapshot)
    if ticket is not None and ticket.admitted_at(snapshot) <= now < ticket.expires_at(snapshot):
        return None
    if not is_read:
        # A POST without a valid pass: book nothing, queue on the waiting page.
        lapsed = ticket is not None and now >= ticket.expires_at(snapshot)
        extra = {"expired": "1"} if lapsed else {}
        return _redirect(waiting_url(snapshot.service_id, here, **extra), status)
    extra = {}
    if ticket is None or now >= ticket.expires_at(snapshot):
        extra = {"expired": "1"} if ticket is not None else {}
        ticket = new_ticket(snapshot, now)
        extra["t"] = "1"  # a ticket cookie was just set: the waiting page checks it came back
        response = _redirect(waiting_url(snapshot.service_id, here, **extra))
        set_ticket_cookie(response, snapshot, ticket, request)
        return response
    return _redirect(waiting_url(snapshot.service_id, here))


# -- The waiting page ----------------------------------------------------------------------------


def waiting_page(request: HttpRequest, service_id: int) -> HttpResponse:
    """The light waiting page: position, estimated wait, reloads itself. No query per poll."""
    # Nothing here is personal: keep the shared middleware from loading the session and the
    # user for signed-in visitors (two queries a poll). ``Cache-Control: no-store`` is set below.
    request.user = AnonymousUser()
    snapshot = cached_snapshot(service_id)
    next_url = _safe_next(request, request.GET.get("next"))
    if snapshot is None or not snapshot.active:
        return _redirect(next_url)
    now = _now()
    assert snapshot.open_at is not None
    context: dict[str, Any] = {
        "service_id": service_id,
        "service_name": snapshot.name,
        "open_at": snapshot.open_at,
        "next_url": next_url,
        "auto": request.GET.get("auto") != "0",
        "expired": request.GET.get("expired") == "1",
        "pass_minutes": _setting("PASS_MINUTES", PASS_MINUTES),
        "state": "waiting",
    }
    if now < snapshot.open_at:
        seconds = math.ceil((snapshot.open_at - now).total_seconds())
        # Reload at the opening moment when it is near; a page left open for days does not poll.
        near = seconds <= _setting("PREOPEN_REFRESH_SECONDS", PREOPEN_REFRESH_SECONDS)
        refresh = seconds if near else None
        context.update(state="before_opening", refresh=refresh)
        return _waiting_response(context)
    if _rush_over(snapshot, now):
        return _redirect(next_url)
    ticket = read_ticket(request, snapshot)
    new_cookie = None
    if ticket is None or now >= ticket.expires_at(snapshot):
        if ticket is None and request.GET.get("t") == "1" and (
            cookie_name(service_id) not in request.COOKIES
        ):
            # The cookie set a moment ago did not come back: cookies are off.
            context.update(state="no_cookie", refresh=None)
            return _waiting_response(context)
        if ticket is not None:
            context["expired"] = True
        ticket = new_ticket(snapshot, now)
        new_cookie = ticket
    context["ticket_set"] = True
    admitted_at = ticket.admitted_at(snapshot)
    if admitted_at <= now:
        response = _redirect(next_url)
    else:
        wait = (admitted_at - now).total_seconds()
        refresh = min(max(2, math.ceil(wait)), _setting("MAX_REFRESH_SECONDS", MAX_REFRESH_SECONDS))
        context.update(
            ahead=max(0, ticket.number - snapshot.admitted(now) - 1),
            wait_minutes=max(1, math.ceil(wait / 60)),
            refresh=refresh,
        )
        response = _waiting_response(context)
    if new_cookie is not None:
        set_ticket_cookie(response, snapshot, new_cookie, request)
    return response


def _waiting_response(context: dict[str, Any]) -> HttpResponse:
    """Rendered without context processors: nothing here may touch the session or the DB."""
    base = {"next": context["next_url"]}
    if context["expired"]:
        base["expired"] = "1"
    if context.get("ticket_set"):
        base["t"] = "1"
    path = reverse("reservations:waiting_room", args=[context["service_id"]])
    context["auto_url"] = f"{path}?{urlencode(base)}"
    context["stop_url"] = f"{path}?{urlencode({**base, 'auto': '0'})}"
    context["refresh_url"] = context["auto_url"] if context["auto"] else context["stop_url"]
    response = HttpResponse(loader.render_to_string("reservations/waiting_room.html", context))
    refresh = context.get("refresh")
    if refresh is not None and context["auto"]:
        response["Refresh"] = f"{refresh}; url={context['refresh_url']}"
    response["Cache-Control"] = "no-store"
    return response
