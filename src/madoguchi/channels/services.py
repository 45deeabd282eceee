"""Sending a notice through the channels a resident chose; writes for preferences and LINE."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from madoguchi.core import languages
from madoguchi.core.tasks import enqueue_with_transaction

from . import line
from .base import Notice, Recipient, registry, shared_context
from .models import (
    ChannelPreference,
    LineAccount,
    LineLinkNonce,
    LinePush,
    LineWebhookEvent,
    SentNotice,
)
from .selectors import preferred_channels

if TYPE_CHECKING:
    from madoguchi.core.models import User

logger = logging.getLogger(__name__)

NONCE_LIFETIME = timedelta(minutes=10)
PUSH_MAX_ATTEMPTS = 5
PUSH_FIRST_DELAY = timedelta(seconds=30)
PUSH_MAX_DELAY = timedelta(hours=1)
# Enqueued by name: the task module calls back into this one.
PUSH_TASK = "madoguchi.channels.tasks.push_line_message"


def recipient_for(user: User | None, email: str = "", language: str | None = None) -> Recipient:
    """The recipient for ``user`` (their language and, unless given, their e-mail address).

    The language is one of :mod:`core.languages` (a resident language, ``vi``, ``pt-br`` ...);
    an unknown code gets the site's language, Japanese.
    """
    if language is None:
        profile = getattr(user, "resident_profile", None) if user is not None else None
        language = profile.preferred_language if profile else ""
    language = languages.normalize(language) or languages.BASE_LANGUAGE
    if not email and user is not None and getattr(user, "is_resident", False):
        email = user.email
    return Recipient(user=user, email=email, language=language)


def notify(notice: Notice, *, user: User | None = None, email: str = "",
           language: str | None = None, once: str = "") -> list[str]:
    """Deliver ``notice`` through each channel the recipient prefers and can be reached on.

    Falls back to e-mail when no preferred channel can reach them (or every one failed).
    Returns the codes of the channels that delivered. Call it from a background task:
    channels may talk to the network.

    With ``once`` (a key naming the event, e.g. ``application.received:42``), the notice is
    delivered at most once per key: a task run again after its worker was killed finds the
    key and delivers nothing. The key is recorded in the same transaction as the deliveries
    the database keeps (the demo mailbox, LINE push records), so those happen exactly once;
    an SMTP server that accepted the message just before the process died gets it again
    (at least once, docs/operations.md).
    """
    if not once:
        return _deliver(notice, user=user, email=email, language=language)
    key = once[:120]
    try:
        with transaction.atomic():
            if SentNotice.objects.filter(key=key).exists():
                logger.info("notice %s already delivered, not sent again", notice.kind)
                return []
            delivered = _deliver(notice, user=user, email=email, language=language)
            SentNotice.objects.create(key=key, kind=notice.kind[:64], channels=delivered)
    except IntegrityError:  # another run of the same task recorded it a moment before
        logger.warning("notice %s delivered by two runs at once, the second rolled back",
                       notice.kind)
        return []
    return delivered


def forget_sent_notices(before: datetime) -> int:
    """Drop the once-only keys of notices sent before ``before`` (no task is re-run so late)."""
    deleted, _ = SentNotice.objects.filter(sent_at__lt=before).delete()
    return deleted


def _deliver(notice: Notice, *, user: User | None, email: str,
             language: str | None) -> list[str]:
    recipient = recipient_for(user, email, language)
    wanted = [registry[code] for code in preferred_channels(user) if registry.is_enabled(code)]
    reachable = [c for c in wanted if c.can_reach(recipient)]
    fallback = registry["email"] if registry.is_enabled("email") else None
    delivered: list[str] = []
    with translation.override(recipient.language):
        context = {**shared_context(), "site_url": settings.SITE_URL, "notice_url": notice.url,
                   **notice.context}
        for channel in reachable:
            if channel is fallback:
                fallback.deliver(recipient, notice, context)
            else:
                try:
                    channel.deliver(recipient, notice, context)
                except Exception:  # one channel failing must not silence the others
                    logger.exception("channel %s could not take notice %s", channel.code,
                                     notice.kind)
                    continue
            delivered.append(channel.code)
        if not delivered and fallback and fallback not in reachable and fallback.can_reach(
                recipient):
            fallback.deliver(recipient, notice, context)
            delivered.append(fallback.code)
    if not delivered:
        logger.info("notice %s reached nobody (no channel for this recipient)", notice.kind)
    return delivered


# --- preferences --------------------------------------------------------------------------
def set_channel_preference(user: User, channels: list[str]) -> ChannelPreference:
    """Store the channels ``user`` wants notices on (known codes only, at least one)."""
    known = [code for code in dict.fromkeys(channels) if registry.is_enabled(code)]
    if not known:
        raise ValueError("choose at least one channel")
    preference, _created = ChannelPreference.objects.update_or_create(
        user=user, defaults={"channels": known, "updated_at": timezone.now()})
    return preference


# --- LINE accounts ------------------------------------------------------------------------
def record_webhook_event(event_id: str, kind: str, at: datetime) -> bool:
    """Remember a webhook event; ``False`` when it was seen before (a replay or redelivery)."""
    try:
        with transaction.atomic():
            LineWebhookEvent.objects.create(event_id=event_id[:64], kind=kind[:32], event_time=at)
    except IntegrityError:
        return False
    return True


def forget_old_webhook_events(older_than: timedelta) -> int:
    """Drop the record of events older than the webhook accepts anyway."""
    deleted, _ = LineWebhookEvent.objects.filter(
        received_at__lt=timezone.now() - older_than).delete()
    return deleted


def follow(line_user_id: str) -> LineAccount:
    """The LINE user added (or re-added) the city's account."""
    now = timezone.now()
    account, _created = LineAccount.objects.update_or_create(
        line_user_id=line_user_id, defaults={"followed": True, "followed_at": now})
    return account


def unfollow(line_user_id: str) -> None:
    """The LINE user blocked or removed the city's account: stop pushing to it."""
    LineAccount.objects.filter(line_user_id=line_user_id).update(
        followed=False, unfollowed_at=timezone.now())
    LinePush.objects.filter(to=line_user_id, status__in=[
        LinePush.Status.PENDING, LinePush.Status.RETRYING]).update(
        status=LinePush.Status.CANCELLED, next_attempt_at=None)


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def create_link_nonce(user: User) -> str:
    """A fresh one-time nonce that binds LINE's account-link result to ``user``."""
    LineLinkNonce.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).delete()
    nonce = secrets.token_urlsafe(32)
    LineLinkNonce.objects.create(digest=_digest(nonce), user=user)
    return nonce


def link_account(line_user_id: str, nonce: str) -> User | None:
    """Complete account linking: a valid, unused, fresh nonce links the LINE user to its owner.

    A resident has at most one linked LINE account; linking another replaces it.
    """
    if not nonce or len(nonce) > 255:
        return None
    now = timezone.now()
    with transaction.atomic():
        record = (LineLinkNonce.objects.select_for_update().select_related("user")
                  .filter(digest=_digest(nonce), used_at__isnull=True,
                          created_at__gte=now - NONCE_LIFETIME).first())
        if record is None or not record.user.is_active or not record.user.is_resident:
            return None
        record.used_at = now
        record.save(update_fields=["used_at"])
        LineAccount.objects.filter(user=record.user).exclude(line_user_id=line_user_id).update(
            user=None, linked_at=None)
        account, _created = LineAccount.objects.get_or_create(
            line_user_id=line_user_id, defaults={"followed": True, "followed_at": now})
        account.user = record.user
        account.linked_at = now
        account.save(update_fields=["user", "linked_at"])
    return record.user


def unlink_account(user: User) -> bool:
    """Unlink the resident's LINE account; notices go by e-mail again if LINE was chosen."""
    with transaction.atomic():
        count = LineAccount.objects.filter(user=user).update(user=None, linked_at=None)
        preference = ChannelPreference.objects.select_for_update().filter(user=user).first()
        if preference is not None and "line" in preference.channels:
            rest = [c for c in preference.channels if c != "line"] or ["email"]
            preference.channels = rest
            preference.updated_at = timezone.now()
            preference.save(update_fields=["channels", "updated_at"])
        LinePush.objects.filter(user=user, status__in=[
            LinePush.Status.PENDING, LinePush.Status.RETRYING]).update(
            status=LinePush.Status.CANCELLED, next_attempt_at=None)
    return bool(count)


# --- LINE pushes --------------------------------------------------------------------------
def queue_line_push(*, account: LineAccount, user: User | None, kind: str,
                    messages: list[dict[str, Any]]) -> LinePush:
    """Record a push and hand it to the background task that sends it."""
    with transaction.atomic():
        record = LinePush.objects.create(to=account.line_user_id, user=user, kind=kind[:64],
                                         messages=messages)
        enqueue_with_transaction(PUSH_TASK, push_id=record.pk)
    return record


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 30 s, 2 min, 8 min, 32 min, then 1 h."""
    return min(PUSH_FIRST_DELAY * (4 ** max(attempts - 1, 0)), PUSH_MAX_DELAY)


def attempt_push(push_id: int) -> timedelta | None:
    """Try to send one recorded push once; returns the delay before a retry, or ``None``.

    Retries on 429, 5xx and network errors up to :data:`PUSH_MAX_ATTEMPTS`; any other 4xx
    fails at once. The retry key (the same on every attempt) lets LINE drop a duplicate: a 409
    answer means an earlier attempt was accepted.
    """
    with transaction.atomic():
        record = LinePush.objects.select_for_update().filter(pk=push_id).first()
        if record is None or record.status not in (LinePush.Status.PENDING,
                                                   LinePush.Status.RETRYING):
            return None
        record.attempts += 1
        record.save(update_fields=["attempts"])
    if not line.enabled():
        return _finish(record, LinePush.Status.FAILED, "LINE is not configured")
    if record.user_id is not None and not LineAccount.objects.filter(
            line_user_id=record.to, user_id=record.user_id, followed=True).exists():
        return _finish(record, LinePush.Status.CANCELLED, "unlinked or unfollowed")
    try:
        line.push(record.to, record.messages, str(record.retry_key))
    except line.LineError as exc:
        if exc.accepted:
            return _finish(record, LinePush.Status.SENT, "")
        if exc.retryable and record.attempts < PUSH_MAX_ATTEMPTS:
            delay = backoff(record.attempts)
            record.status = LinePush.Status.RETRYING
            record.last_error = str(exc)
            record.next_attempt_at = timezone.now() + delay
            record.save(update_fields=["status", "last_error", "next_attempt_at"])
            return delay
        logger.warning("LINE push %s failed: %s", record.pk, exc)
        return _finish(record, LinePush.Status.FAILED, str(exc))
    return _finish(record, LinePush.Status.SENT, "")


def _finish(record: LinePush, status: str, error: str) -> None:
    record.status = status
    record.last_error = error or record.last_error
    record.next_attempt_at = None
    if status == LinePush.Status.SENT:
        record.sent_at = timezone.now()
    record.save(update_fields=["status", "last_error", "next_attempt_at", "sent_at"])
    return None


def forget_user(user: User) -> None:
    """A resident deleted their account: unlink LINE, cancel pending pushes, and delete their
    notification settings, link codes and push records (which hold message texts)."""
    with transaction.atomic():
        unlink_account(user)
        ChannelPreference.objects.filter(user=user).delete()
        LineLinkNonce.objects.filter(user=user).delete()
        LinePush.objects.filter(user=user).delete()
