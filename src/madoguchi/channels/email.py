"""The e-mail channel: Django's mail framework (SMTP in production, the demo mailbox in demo)."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.utils.translation import gettext_lazy as _

from .base import Channel, Notice, Recipient, registry, render


class EmailChannel(Channel):
    code = "email"
    label = _("E-mail")

    def can_reach(self, recipient: Recipient) -> bool:
        return bool(recipient.email)

    def deliver(self, recipient: Recipient, notice: Notice, context: dict[str, Any]) -> None:
        rendered = render(notice, context)
        send_mail(rendered.subject, rendered.body, None, [recipient.email])


registry.register("email", EmailChannel())
