"""A local fake of the parts of Stripe's API the Stripe provider uses.

A real HTTP server on 127.0.0.1 that the official SDK talks to (``STRIPE_API_BASE``): it
parses the SDK's form-encoded requests and answers with JSON shaped like Stripe's (Checkout
Session, PaymentIntent, Charge, Refund, list objects, error objects), honours
``Idempotency-Key`` and checks the secret key. Tests move payments on "Stripe's side" with
:meth:`FakeStripe.pay`, :meth:`FakeStripe.expire`, and build signed webhooks with
:func:`signed_event` (the documented ``Stripe-Signature`` scheme: HMAC-SHA256 of
``"{t}.{payload}"`` with the endpoint secret).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_fake_madoguchi"
WEBHOOK_SECRET = "whsec_fake_madoguchi"


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``a[b][0][c]=v`` (how the SDK encodes params) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt_is_index = not last and parts[i + 1].isdigit()
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append({} if not last else None)
                if last:
                    node[index] = value
                else:
                    if not isinstance(node[index], (dict, list)):
                        node[index] = [] if nxt_is_index else {}
                    node = node[index]
            elif last:
                node[part] = value
            else:
                node = node.setdefault(part, [] if nxt_is_index else {})
    return root


class FakeStripe:
    """The fake's state (sessions, intents, charges, refunds) and its server."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeStripe:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- Stripe's side moving on -------------------------------------------------------

    def pay(self, session_id: str, method: str = "card") -> dict[str, Any]:
        """The customer paid (card now, or a konbini voucher at the shop)."""
        with self.lock:
            session = self.sessions[session_id]
            intent = self._intent_for(session, method)
            charge = {"id": _id("ch"), "object": "charge", "amount": session["amount_total"],
                      "amount_refunded": 0, "currency": "jpy", "paid": True,
                      "refunded": False, "created": int(time.time()),
                      "payment_intent": intent["id"], "status": "succeeded",
                      "payment_method_details": {"type": method}}
            self.charges[charge["id"]] = charge
            intent.update(status="succeeded", latest_charge=charge["id"])
            session.update(status="complete", payment_status="paid")
            return session

    def konbini_voucher(self, session_id: str) -> dict[str, Any]:
        """The customer chose konbini: the session completes, payment still due."""
        with self.lock:
            session = self.sessions[session_id]
            self._intent_for(session, "konbini")["status"] = "requires_action"
            session.update(status="complete", payment_status="unpaid")
            return session

    def expire(self, session_id: str) -> dict[str, Any]:
        with self.lock:
            session = self.sessions[session_id]
            session.update(status="expired")
            return session

    def _intent_for(self, session: dict[str, Any], method: str) -> dict[str, Any]:
        if session["payment_intent"] is None:
            intent = {"id": _id("pi"), "object": "payment_intent",
                      "amount": session["amount_total"], "currency": "jpy",
                      "status": "requires_payment_method", "latest_charge": None,
                      "last_payment_error": None, "payment_method_types": [method],
                      "metadata": dict(session["metadata"])}
            self.intents[intent["id"]] = intent
            session["payment_intent"] = intent["id"]
        return self.intents[session["payment_intent"]]

    def event(self, type_: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {"id": _id("evt"), "object": "event", "api_version": "2025-01-27.acacia",
                "created": int(time.time()), "type": type_, "livemode": False,
                "pending_webhooks": 1, "data": {"object": json.loads(json.dumps(obj))}}

    # --- the API -------------------------------------------------------------------------

    def _expand(self, session: dict[str, Any], expand: list[str]) -> dict[str, Any]:
        out = json.loads(json.dumps(session))
        if "payment_intent" in expand and session["payment_intent"]:
            intent = json.loads(json.dumps(self.intents[session["payment_intent"]]))
            if "payment_intent.latest_charge" in expand and intent["latest_charge"]:
                intent["latest_charge"] = json.loads(json.dumps(
                    self.charges[intent["latest_charge"]]))
            out["payment_intent"] = intent
        return out

    def handle(self, method: str, path: str, query: dict[str, Any],
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.requests.append((method, path))
        if method == "POST" and path == "/v1/checkout/sessions":
            item = body["line_items"][0]
            amount = int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
            if item["price_data"]["currency"] != "jpy" or amount < 50:
                return 400, _error("amount_too_small", "Amount must be at least ¥50 jpy")
            session = {
                "id": _id("cs_test"), "object": "checkout.session", "mode": "payment",
                "amount_total": amount, "amount_subtotal": amount, "currency": "jpy",
                "client_reference_id": body.get("client_reference_id"),
                "metadata": body.get("metadata", {}), "status": "open",
                "payment_status": "unpaid", "payment_intent": None,
                "payment_method_types": body.get("payment_method_types", ["card"]),
                "success_url": body["success_url"], "cancel_url": body.get("cancel_url"),
                "expires_at": int(body.get("expires_at") or time.time() + 86400),
                "created": int(time.time()), "livemode": False, "locale": body.get("locale"),
            }
            session["url"] = f"https://checkout.stripe.com/c/pay/{session['id']}"
            self.sessions[session["id"]] = session
            return 200, session
        if method == "GET" and path == "/v1/checkout/sessions":
            intent = query.get("payment_intent")
            data = [s for s in self.sessions.values() if s["payment_intent"] == intent]
            return 200, {"object": "list", "data": data, "has_more": False,
                         "url": "/v1/checkout/sessions"}
        if method == "GET" and path.startswith("/v1/checkout/sessions/"):
            session = self.sessions.get(path.rsplit("/", 1)[1])
            if session is None:
                return 404, _error("resource_missing", "No such checkout.session")
            return 200, self._expand(session, query.get("expand", []))
        if method == "POST" and path == "/v1/refunds":
            intent = self.intents.get(body.get("payment_intent", ""))
            if intent is None or not intent["latest_charge"]:
                return 400, _error("charge_not_paid", "This PaymentIntent has no charge.")
            charge = self.charges[intent["latest_charge"]]
            amount = int(body.get("amount") or charge["amount"] - charge["amount_refunded"])
            if amount > charge["amount"] - charge["amount_refunded"]:
                return 400, _error("charge_already_refunded",
                                   "Refund amount is greater than unrefunded amount")
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
            refund = {"id": _id("re"), "object": "refund", "amount": amount, "currency": "jpy",
                      "charge": charge["id"], "payment_intent": intent["id"],
                      "status": "succeeded", "metadata": body.get("metadata", {}),
                      "created": int(time.time())}
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, _error("resource_missing", f"Unrecognized request URL ({method} {path})")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                url = urlsplit(self.path)
                if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                    return self._send(401, _error("invalid_api_key", "Invalid API Key"))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    if key and self.command == "POST" and key in fake.idempotent:
                        return self._send(*fake.idempotent[key])
                body = unflatten(parse_qsl(raw, keep_blank_values=True))
                query = unflatten(parse_qsl(url.query, keep_blank_values=True))
                with fake.lock:
                    status, payload = fake.handle(self.command, url.path, query, body)
                    if key and self.command == "POST":
                        fake.idempotent[key] = (status, payload)
                self._send(status, payload)

            do_GET = do_POST = _serve

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", _id("req"))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "code": code, "message": message}}


def signed_event(event: dict[str, Any], *, secret: str = WEBHOOK_SECRET,
                 timestamp: int | None = None) -> tuple[bytes, str]:
    """The payload and its ``Stripe-Signature`` header, signed as Stripe documents it."""
    payload = json.dumps(event).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload,
                   hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={mac}"
