"""Fixtures for the LINE app: signed webhook payloads (the fake LINE API comes from channels)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from django.test import Client

from madoguchi.channels.tests.conftest import SECRET, line_api  # noqa: F401 - shared fixture
from madoguchi.demo.line_fake import sign


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
