"""E-mail backends and the one function that sends a notification e-mail."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from .models import MailboxMessage


class MailboxBackend(BaseEmailBackend):
    """Keeps each sent message in the database so the demo mailbox page can show it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            MailboxMessage.objects.create(
                from_email=message.from_email,
                to=", ".join(message.to),
                subject=str(message.subject),
                body=str(message.body),
            )
        return len(email_messages)
