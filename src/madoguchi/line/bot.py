"""The city's LINE official account: verifying webhook payloads and answering their events.

Every payload is checked against ``X-Line-Signature`` (HMAC-SHA256 of the raw body with the
channel secret) before anything is read or written; the SDK's event models then read it. Each
event is handled once (its ``webhookEventId`` is recorded) and only while fresh; events too old
or from the future are dropped. Answers go back through the reply API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from linebot.v3.webhooks import (
    AccountLinkEvent,
    Event,
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
)

from madoguchi.applications import selectors as application_selectors
from madoguchi.catalog.selectors import get_city
from madoguchi.channels import line, services
from madoguchi.channels.selectors import line_account_by_id
from madoguchi.core.i18n import localized
from madoguchi.core.templatetags.madoguchi import jdatetime
from madoguchi.faq.selectors import chat_answer
from madoguchi.reservations.selectors import upcoming_bookings_for

logger = logging.getLogger(__name__)

MAX_EVENT_AGE = timedelta(hours=1)
MAX_CLOCK_SKEW = timedelta(minutes=5)
NAVI_PATH = "/navi/"
CHAT_PATH = "/chat/"
MENU = ("navi", "status", "booking", "inquiry")
LINK_WORDS = ("連携", "れんけい", "link")


class BadSignature(Exception):
    """The payload is not signed with our channel secret (or the signature is missing)."""


class BadPayload(Exception):
    """The payload is signed but is not a LINE webhook body."""


def _signed(body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the channel's HMAC-SHA256 of the raw body (LINE's algorithm).

    Checked on the bytes as received, so that a body which is not even UTF-8 is still told
    apart as signed (malformed, 400) or not (forged, 400 and a warning).
    """
    digest = hmac.new(settings.LINE_CHANNEL_SECRET.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(signature.encode("utf-8", "replace"), base64.b64encode(digest))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse(body: bytes, signature: str | None) -> list[Event]:
    """Verify and parse a webhook body; malformed events in a good payload are skipped.

    ``BadSignature`` unless the body is signed with our channel secret; then ``BadPayload``
    for anything that is not a JSON object with an ``events`` list: not UTF-8, not JSON (or
    with ``NaN``), nested deeper than the parser goes (``RecursionError``), or another shape.
    """
    if not signature or not _signed(body, signature):
        raise BadSignature("missing or wrong X-Line-Signature")
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadPayload(type(exc).__name__) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise BadPayload("no events list")
    events = []
    for raw in payload["events"]:
        try:
            events.append(Event.from_dict(raw))
        except Exception:  # one malformed event must not drop the others
            logger.info("LINE webhook: skipped a malformed event")
    return events


def _event_time(event: Event) -> datetime:
    return datetime.fromtimestamp(event.timestamp / 1000, tz=UTC)


def _user_id(event: Event) -> str:
    """The LINE user of a one-to-one chat; "" for groups and rooms, where a resident's
    applications must never be shown to the others."""
    source = event.source
    if source is None or source.type != "user":
        return ""
    return getattr(source, "user_id", None) or ""


def handle_events(events: list[Event]) -> int:
    """Handle each fresh, first-seen event; returns how many were handled."""
    now = timezone.now()
    handled = 0
    for event in events:
        try:
            at = _event_time(event)
        except (OverflowError, OSError, ValueError):
            continue
        if at < now - MAX_EVENT_AGE or at > now + MAX_CLOCK_SKEW:
            logger.info("LINE webhook: dropped an event from %s", at.isoformat())
            continue
        if not services.record_webhook_event(event.webhook_event_id, event.type, at):
            logger.info("LINE webhook: event %s seen before", event.webhook_event_id)
            continue
        try:
            _handle(event)
        except Exception:  # a bug or an API failure in one answer must not fail the rest
            logger.exception("LINE webhook: could not handle a %s event", event.type)
        handled += 1
    if handled:
        # Older events are refused by their timestamp, so their ids need not be kept.
        services.forget_old_webhook_events(MAX_EVENT_AGE + MAX_EVENT_AGE)
    return handled


def _handle(event: Event) -> None:
    user_id = _user_id(event)
    if not user_id:
        return  # groups and rooms: nothing to answer
    if isinstance(event, UnfollowEvent):
        services.unfollow(user_id)
        return
    if isinstance(event, FollowEvent):
        account = services.follow(user_id)
        messages = _in_language_of(user_id, _greeting, account.user is not None)
    elif isinstance(event, AccountLinkEvent):
        linked = None
        if event.link.result == "ok":
            linked = services.link_account(user_id, event.link.nonce)
        messages = _in_language_of(user_id, _link_result, linked is not None)
    elif isinstance(event, PostbackEvent):
        messages = _in_language_of(user_id, _postback, user_id, event.postback.data)
    elif isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        messages = _in_language_of(user_id, _text_answer, user_id, event.message.text)
    else:
        return
    reply_token = getattr(event, "reply_token", None)
    if messages and reply_token and getattr(event.mode, "value", event.mode) != "standby":
        line.reply(reply_token, messages)


def _in_language_of(user_id: str, build, *args: Any) -> list[dict[str, Any]]:
    """Build the answer in the linked resident's language (Japanese for everyone else)."""
    account = line_account_by_id(user_id)
    profile = getattr(account.user, "resident_profile", None) if account and account.user else None
    language = profile.preferred_language if profile else settings.LANGUAGE_CODE
    with translation.override(language):
        return build(*args)


def _absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def _postback_button(text: str, label: str, data: str, alt: str) -> dict[str, Any]:
    return {"type": "template", "altText": alt[:400],
            "template": {"type": "buttons", "text": text[:160],
                         "actions": [{"type": "postback", "label": label[:20], "data": data,
                                      "displayText": label[:300]}]}}


def _uri_button(text: str, label: str, uri: str, alt: str) -> dict[str, Any]:
    return {"type": "template", "altText": alt[:400],
            "template": {"type": "buttons", "text": text[:160],
                         "actions": [{"type": "uri", "label": label[:20], "uri": uri}]}}


def _link_prompt(text: str) -> dict[str, Any]:
    return _postback_button(text, _("Link account"), "action=link", text)


def _greeting(already_linked: bool) -> list[dict[str, Any]]:
    city = get_city()
    name = localized(city.name) if city else ""
    welcome = line.text(_(
        "Thank you for adding the %(city)s official account. Use the menu below to find a "
        "procedure, see your applications and reservations, or ask us. You can also type a "
        "question, such as “child allowance”.") % {"city": name})
    if already_linked:
        return [welcome]
    return [welcome, _link_prompt(_(
        "Link your Madoguchi account to receive updates about your applications here."))]


def _link_result(ok: bool) -> list[dict[str, Any]]:
    if ok:
        return [line.text(_(
            "Your LINE account is now linked. To receive notices here, choose LINE on your "
            "notification settings page: %(url)s") % {
            "url": _absolute(reverse("channels:preferences"))})]
    return [line.text(_(
        "Your account could not be linked. The link may have expired; please try again."))]


def _issue_link(user_id: str) -> list[dict[str, Any]]:
    try:
        token = line.issue_link_token(user_id)
    except line.LineError:
        logger.warning("LINE: could not issue a link token", exc_info=True)
        return [line.text(_("Account linking is not available just now. Please try later."))]
    uri = _absolute(reverse("channels:line_link") + "?" + urlencode({"linkToken": token}))
    text = _("Sign in to your Madoguchi account to link it with LINE. The link works for "
             "10 minutes.")
    return [_uri_button(text, _("Sign in and link"), uri, text + " " + uri)]


def _postback(user_id: str, data: str) -> list[dict[str, Any]]:
    params = parse_qs(data[:300])
    if params.get("action") == ["link"]:
        return _issue_link(user_id)
    menu = (params.get("menu") or [""])[0]
    if menu == "navi":
        return [line.text(_("Answer a few questions and we will list the procedures you need:")
                          + "\n" + _absolute(NAVI_PATH))]
    if menu == "inquiry":
        return _inquiry()
    if menu in ("status", "booking"):
        account = line_account_by_id(user_id)
        if account is None or account.user is None:
            return [_link_prompt(_(
                "To see your applications and reservations here, link your Madoguchi account."))]
        return _applications(account.user) if menu == "status" else _bookings(account.user)
    return [line.text(_("Please choose from the menu below."))]


def _inquiry() -> list[dict[str, Any]]:
    city = get_city()
    lines = [_("Ask us your question here:"), _absolute(CHAT_PATH)]
    if city is not None and getattr(city, "phone", ""):
        lines.append(_("By phone: %(phone)s") % {"phone": city.phone})
    return [line.text("\n".join(lines))]


def _applications(user) -> list[dict[str, Any]]:
    applications = list(application_selectors.for_resident(user)[:5])
    if not applications:
        return [line.text(_("You have no applications yet."))]
    parts = [_("Your latest applications:")]
    for application in applications:
        parts.append("\n".join([
            f"■ {localized(application.procedure.name)}",
            _("Receipt number: %(number)s") % {"number": application.receipt_number},
            _("Status: %(status)s") % {"status": application.get_status_display()},
            _absolute(reverse("applications:detail", args=[application.public_id])),
        ]))
    parts.append(_("All your applications: %(url)s") % {
        "url": _absolute(reverse("residents:mypage"))})
    return [line.text("\n\n".join(parts))]


def _bookings(user) -> list[dict[str, Any]]:
    bookings = list(upcoming_bookings_for(user)[:5])
    if not bookings:
        return [line.text(_("You have no upcoming reservations."))]
    parts = [_("Your upcoming reservations:")]
    for booking in bookings:
        parts.append("\n".join([f"■ {localized(booking.service.name)}",
                                 jdatetime(booking.slot.starts_at), str(booking.slot.room)]))
    parts.append(_("Change or cancel them here: %(url)s") % {
        "url": _absolute(reverse("reservations:my"))})
    return [line.text("\n\n".join(parts))]


def _text_answer(user_id: str, text: str) -> list[dict[str, Any]]:
    query = " ".join(text.split())[:100]
    if not query:
        return [line.text(_("Please type a question, or choose from the menu below."))]
    if any(word in query.lower() for word in LINK_WORDS) and len(query) <= 12:
        return _issue_link(user_id)
    hits = _search(query)
    chat = _absolute(CHAT_PATH)
    if not hits:
        return [line.text(_("We could not find an answer to “%(query)s”. Try other words, or "
                            "ask us here: %(url)s") % {"query": query, "url": chat})]
    parts = [_("Here is what we found for “%(query)s”:") % {"query": query}]
    for hit in hits:
        parts.append(f"■ {hit.title}\n{_absolute(hit.url)}")
    parts.append(_("Not what you were looking for? Ask us here: %(url)s") % {"url": chat})
    return [line.text("\n\n".join(parts))]


def _search(query: str) -> list[Any]:
    """The answers the web chat would give (FAQ first, then procedures; three at most): only
    those relevant enough to the question, so nothing unrelated is sent back."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    answer = chat_answer(query, language=language)
    hits = [hit for _entry, hit in answer.entries] + list(answer.procedures)
    seen, best = set(), []
    for hit in hits:
        if hit.url in seen:
            continue
        seen.add(hit.url)
        best.append(hit)
    return best[:3]
