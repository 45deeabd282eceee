"""Sending a notice to a resident through the channels they chose."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation

from .base import Notice, Recipient, registry
from .selectors import preferred_channels

if TYPE_CHECKING:
    from madoguchi.core.models import User

logger = logging.getLogger(__name__)


def recipient_for(user: User | None, email: str = "", language: str | None = None) -> Recipient:
    """The recipient for ``user`` (their language and, unless given, their e-mail address)."""
    if language is None:
        profile = getattr(user, "resident_profile", None) if user is not None else None
        language = profile.preferred_language if profile else settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if not email and user is not None and getattr(user, "is_resident", False):
        email = user.email
    return Recipient(user=user, email=email, language=language)


def notify(notice: Notice, *, user: User | None = None, email: str = "",
           language: str | None = None) -> list[str]:
    """Deliver ``notice`` through each channel the recipient prefers and can be reached on.

    Falls back to e-mail when no preferred channel can reach them. Returns the codes of the
    channels that delivered. Call it from a background task: channels may talk to the network.
    """
    from madoguchi.catalog.selectors import get_city

    recipient = recipient_for(user, email, language)
    wanted = [c for c in (registry.get(code) for code in preferred_channels(user)) if c]
    reachable = [c for c in wanted if c.can_reach(recipient)]
    if not reachable:
        fallback = registry.get("email")
        reachable = [fallback] if fallback and fallback.can_reach(recipient) else []
    delivered = []
    with translation.override(recipient.language):
        context = {"city": get_city(), "site_url": settings.SITE_URL, "notice_url": notice.url,
                   **notice.context}
        for channel in reachable:
            channel.deliver(recipient, notice, context)
            delivered.append(channel.code)
    if not delivered:
        logger.info("notice %s reached nobody (no channel for this recipient)", notice.kind)
    return delivered
