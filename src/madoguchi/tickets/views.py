"""Public ticket pages: the kiosk, online tickets (整理券), a ticket's live page, the display.

The display, the online list and the ticket page read the per-process snapshot (display.py);
the display and its JSON never touch the session or the database on a warm snapshot.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.catalog.selectors import get_city

from . import display, selectors, services
from .forms import OnlineTicketForm
from .models import Purpose, Ticket
from .tokens import COOKIE, read_token, ticket_token

DISPLAY_REFRESH = 5  # seconds between reloads of the calling display (TICKETS_DISPLAY_REFRESH)
TICKET_REFRESH = 20  # seconds between reloads of a waiting ticket's page (TICKETS_PAGE_REFRESH)


def _seconds(name: str, default: int) -> int:
    return int(getattr(settings, f"TICKETS_{name}", default))


def _purpose(code: str) -> Purpose:
    return get_object_or_404(Purpose, city=get_city(), code=code, active=True)


def _ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:ticket", args=[ticket_token(ticket)])


# -- Kiosk ---------------------------------------------------------------------------------------


@require_GET
def kiosk(request: HttpRequest) -> HttpResponse:
    """The touch screen at the entrance: one large button per purpose."""
    return render(request, "tickets/kiosk.html", {"board": display.snapshot()})


@require_POST
def kiosk_issue(request: HttpRequest, code: str) -> HttpResponse:
    """Issue a kiosk ticket and open its page for printing."""
    purpose = _purpose(code)
    try:
        ticket = services.issue(purpose, channel=Ticket.Channel.KIOSK)
    except services.TicketRefused as refused:
        messages.error(request, refused.message)
        return redirect("tickets:kiosk")
    return redirect(f"{_ticket_url(ticket)}?print=1")


# -- Online tickets ------------------------------------------------------------------------------


def _held_ticket(request: HttpRequest) -> Ticket | None:
    """The active online ticket this browser holds (its cookie), if any."""
    found = read_token(request.COOKIES.get(COOKIE, ""))
    if found is None:
        return None
    ticket = selectors.ticket(found[0])
    if ticket is None or ticket.day.isoformat() != found[1] or not ticket.active:
        return None
    return ticket


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Purposes with their waiting counts and estimated waits; take a ticket from home."""
    held = _held_ticket(request)
    return render(request, "tickets/index.html", {
        "board": display.snapshot(), "form": OnlineTicketForm(), "held": held,
        "held_url": _ticket_url(held) if held else "",
    })


@require_POST
def take(request: HttpRequest, code: str) -> HttpResponse:
    """Take an online ticket: one active ticket per browser, a few per address an hour."""
    purpose = _purpose(code)
    held = _held_ticket(request)
    if held is not None:
        messages.error(request, _("You already have a ticket. Please use this one."))
        return redirect(_ticket_url(held))
    form = OnlineTicketForm(request.POST)
    if not form.is_valid():
        return render(request, "tickets/index.html", {
            "board": display.snapshot(), "form": form, "chosen": purpose.code, "held": None,
        }, status=400)
    try:
        ticket = services.issue_online(request, purpose, email=form.cleaned_data["email"])
    except services.TicketRefused as refused:
        messages.error(request, refused.message)
        return redirect("tickets:index")
    token = ticket_token(ticket)
    response = redirect("tickets:ticket", token=token)
    response.set_cookie(COOKIE, token, max_age=24 * 3600, secure=request.is_secure(),
                        httponly=True, samesite="Lax")
    return response


# -- A ticket's page -----------------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (no image request, prints sharply)."""
    return str(segno.make(url, error="m").svg_inline(scale=4, omitsize=True,
                                                      svgclass="ticket__qr-svg"))


@require_GET
def ticket_page(request: HttpRequest, token: str) -> HttpResponse:
    """The printed slip and the live page: number, state, place and estimated wait."""
    found = read_token(token)
    ticket = selectors.ticket(found[0]) if found else None
    if ticket is None or found is None or ticket.day.isoformat() != found[1]:
        raise Http404(_("This ticket does not exist or is from another day."))
    board = display.snapshot()
    place = board.places.get(ticket.pk)
    line = next((p for p in board.purposes if p.pk == ticket.purpose_id), None)
    absolute = settings.SITE_URL + request.path
    context: dict[str, Any] = {
        "ticket": ticket, "place": place, "line": line, "qr": _qr_svg(absolute),
        "url": absolute, "print": request.GET.get("print") == "1",
        "refresh": _seconds("PAGE_REFRESH", TICKET_REFRESH) if ticket.active else None,
    }
    response = render(request, "tickets/ticket.html", context)
    if context["refresh"] and not context["print"]:
        response["Refresh"] = str(context["refresh"])
    response["Cache-Control"] = "no-store"
    return response


# -- The calling display -------------------------------------------------------------------------


def _display_context(board: selectors.Board) -> dict[str, Any]:
    return {"board": board, "latest": board.calls[:1], "earlier": board.calls[1:],
            "refresh": _seconds("DISPLAY_REFRESH", DISPLAY_REFRESH)}


def _no_store(html: str) -> HttpResponse:
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def display_page(request: HttpRequest) -> HttpResponse:
    """The waiting-area monitor. No session, no user, no query on a warm snapshot.

    Without JavaScript it reloads itself (a refresh inside <noscript>); with it, its script
    polls :func:`display_board` and swaps the board in place."""
    request.user = AnonymousUser()
    return _no_store(loader.render_to_string("tickets/display.html",
                                             _display_context(display.snapshot())))


@require_GET
def display_board(request: HttpRequest) -> HttpResponse:
    """The display's board alone, as an HTML fragment for its script (same snapshot, no
    session, no query when warm)."""
    request.user = AnonymousUser()
    return _no_store(loader.render_to_string("tickets/includes/display_board.html",
                                             _display_context(display.snapshot())))


@require_GET
def display_json(request: HttpRequest) -> JsonResponse:
    """The display's data for its optional script (same snapshot, no query when warm)."""
    request.user = AnonymousUser()
    response = JsonResponse(display.snapshot().as_json())
    response["Cache-Control"] = "no-store"
    return response
