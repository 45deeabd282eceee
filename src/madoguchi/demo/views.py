"""The demo mailbox: every e-mail the demo city sent."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from madoguchi.core.models import MailboxMessage


def demo_mailbox(request: HttpRequest) -> HttpResponse:
    """Every e-mail the demo sent, so a visitor can follow the resident's side (demo only)."""
    if not settings.DEMO:
        raise Http404
    return render(
        request, "demo/mailbox.html", {"messages_sent": MailboxMessage.objects.all()[:50]}
    )
