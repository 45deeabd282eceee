"""The LINE Messaging API client (``line-bot-sdk``); the notification plugin is in
:mod:`madoguchi.channels.line_channel`.

The channel is on when ``LINE_CHANNEL_SECRET`` and ``LINE_CHANNEL_ACCESS_TOKEN`` are set. The
API host comes from ``LINE_API_BASE`` (and ``LINE_API_DATA_BASE`` for uploads), so tests point
it at :mod:`madoguchi.demo.line_fake`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import urllib3
from django.conf import settings
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException

TIMEOUT = (5, 10)  # connect, read seconds
TEXT_LIMIT = 5000  # characters in one LINE text message
ACCOUNT_LINK_URL = "https://access.line.me/dialog/bot/accountLink"


def enabled() -> bool:
    """Is the LINE channel configured (secret and access token)?"""
    return bool(settings.LINE_CHANNEL_SECRET and settings.LINE_CHANNEL_ACCESS_TOKEN)


def configuration() -> Configuration:
    config = Configuration(host=settings.LINE_API_BASE,
                           access_token=settings.LINE_CHANNEL_ACCESS_TOKEN)
    config.retries = False  # our own tasks retry, with backoff and a retry key
    return config


@contextmanager
def api_client() -> Iterator[ApiClient]:
    with ApiClient(configuration()) as client:
        yield client


class LineError(Exception):
    """A call to the LINE API failed; ``retryable`` for 429, 5xx and network errors."""

    def __init__(self, message: str, *, status: int = 0, retryable: bool = False,
                 accepted: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.accepted = accepted


def call(function, *args: Any, **kwargs: Any) -> Any:
    """Call an SDK method and turn its failures into :class:`LineError`."""
    try:
        return function(*args, _request_timeout=TIMEOUT, **kwargs)
    except ApiException as exc:
        status = exc.status or 0
        body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else exc.body
        raise LineError(f"LINE API {status}: {exc.reason} {body or ''}".strip()[:1000],
                        status=status, retryable=status == 0 or status == 429 or status >= 500,
                        accepted=status == 409) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise LineError(f"LINE API unreachable: {type(exc).__name__}: {exc}"[:1000],
                        retryable=True) from exc


def push(to: str, messages: list[dict[str, Any]], retry_key: str) -> None:
    """Push ``messages`` to a LINE user; the retry key makes a repeated push harmless."""
    request = PushMessageRequest.from_dict({"to": to, "messages": messages})
    with api_client() as client:
        call(MessagingApi(client).push_message, request, x_line_retry_key=retry_key)


def reply(reply_token: str, messages: list[dict[str, Any]]) -> None:
    """Answer a webhook event (reply tokens are short-lived and single use)."""
    request = ReplyMessageRequest.from_dict({"replyToken": reply_token,
                                             "messages": messages[:5]})
    with api_client() as client:
        call(MessagingApi(client).reply_message, request)


def issue_link_token(line_user_id: str) -> str:
    """A link token for LINE's account-link flow (valid about 10 minutes, once)."""
    with api_client() as client:
        return call(MessagingApi(client).issue_link_token, line_user_id).link_token


def text(body: str, **extra: Any) -> dict[str, Any]:
    """A text message (cut to LINE's length limit)."""
    body = body.strip()
    if len(body) > TEXT_LIMIT:
        body = body[: TEXT_LIMIT - 1] + "…"
    return {"type": "text", "text": body, **extra}
