"""Background work for tickets: the notice that a ticket's turn is near."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify

from .models import Ticket
from .tokens import ticket_token


@task()
def send_near_notice(ticket_id: int) -> list[str]:
    """Tell the holder (signed-in resident, or the e-mail given online) that the turn is near."""
    ticket = Ticket.objects.select_related("purpose", "resident").filter(pk=ticket_id).first()
    if ticket is None or not ticket.queued:
        return []
    url = settings.SITE_URL + reverse("tickets:ticket", args=[ticket_token(ticket)])
    context = {"ticket": ticket, "number": ticket.label, "purpose": ticket.purpose.name}
    return notify(Notice(kind="ticket.near", template="tickets/email/near", context=context,
                         url=url), user=ticket.resident, email=ticket.email,
                  once=f"ticket.near:{ticket_id}")
