"""Fixtures for the LINE channel: the fake LINE API and signed webhook payloads."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from django.test import Client

from madoguchi.demo.line_fake import FakeLineApi, sign

SECRET = "test-channel-secret"


@pytest.fixture
def line_api(settings):
    """The fake LINE API, with the LINE channel configured to use it."""
    with FakeLineApi() as fake:
        settings.LINE_CHANNEL_SECRET = SECRET
        settings.LINE_CHANNEL_ACCESS_TOKEN = fake.access_token
        settings.LINE_API_BASE = fake.url
        settings.LINE_API_DATA_BASE = fake.url
        yield fake


def event(kind: str, user_id: str = "U" + "1" * 32, *, age_seconds: float = 0,
          **fields: Any) -> dict[str, Any]:
    """A webhook event as LINE sends it (a fresh id and reply token each time)."""
    body: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": int((time.time() - age_seconds) * 1000),
        "webhookEventId": "01" + secrets.token_hex(12).upper(),
        "deliveryContext": {"isRedelivery": False},
        "source": {"type": "user", "userId": user_id},
    }
    if kind != "unfollow":
        body["replyToken"] = secrets.token_hex(16)
    if kind == "follow":
        body["follow"] = {"isUnblocked": False}
    body.update(fields)
    return body


def text_event(text: str, user_id: str = "U" + "1" * 32) -> dict[str, Any]:
    return event("message", user_id, message={"type": "text", "id": secrets.token_hex(6),
                                               "text": text, "quoteToken": "q"})


def postback_event(data: str, user_id: str = "U" + "1" * 32) -> dict[str, Any]:
    return event("postback", user_id, postback={"data": data})


def payload(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)},
                      ensure_ascii=False).encode("utf-8")


def post_webhook(client: Client, body: bytes | str, *, signature: str | None = "sign",
                 secret: str = SECRET):
    """POST ``body`` to the webhook, signed with ``secret`` (or with the given signature)."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    headers = {}
    if signature == "sign":
        headers["HTTP_X_LINE_SIGNATURE"] = sign(raw, secret)
    elif signature is not None:
        headers["HTTP_X_LINE_SIGNATURE"] = signature
    return client.post("/line/webhook/", raw, content_type="application/json", **headers)
