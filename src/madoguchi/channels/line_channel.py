"""The LINE channel: notices pushed to the resident's linked LINE account."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from . import line, services
from .base import Channel, Notice, Recipient, registry, render
from .selectors import line_account_for


class LineChannel(Channel):
    """Push notices to the resident's linked LINE account, in the background, with retries."""

    code = "line"
    label = _("LINE")

    def can_reach(self, recipient: Recipient) -> bool:
        return line.enabled() and line_account_for(recipient.user) is not None

    def deliver(self, recipient: Recipient, notice: Notice, context: dict[str, Any]) -> None:
        account = line_account_for(recipient.user)
        if account is None:
            raise line.LineError(
                "the recipient has no linked LINE account that follows the city")
        rendered = render(notice, context, short=True)
        services.queue_line_push(account=account, user=recipient.user, kind=notice.kind,
                                 messages=[line.text(rendered.body)])


registry.register("line", LineChannel())
