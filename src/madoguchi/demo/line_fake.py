"""A local fake of the LINE Messaging API for tests and development, and webhook signing.

``FakeLineApi`` is a small threaded HTTP server on 127.0.0.1 (a random port) that answers the
endpoints Madoguchi uses (push, reply, link token, rich menu create / image upload / default)
the way LINE does, records every request, and fails on demand (``fail_next``) so retries can
be tested. Point ``LINE_API_BASE`` and ``LINE_API_DATA_BASE`` at ``fake.url``.

For trying the channel by hand: ``python -m madoguchi.demo.line_fake --port 8090`` serves
the fake and prints what it receives (access token ``fake-access-token``).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def sign(body: bytes | str, channel_secret: str) -> str:
    """The ``X-Line-Signature`` LINE would send with ``body``."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(channel_secret.encode("utf-8"), raw, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


@dataclass
class _Failure:
    path: str
    status: int
    times: int


@dataclass
class FakeLineApi:
    """The fake server; use as a context manager or call ``start()`` / ``stop()``."""

    access_token: str = "fake-access-token"  # noqa: S105 - a test value
    port: int = 0  # 0: any free port
    requests: list[Recorded] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _accepted_keys: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # --- lifecycle ---
    def start(self) -> FakeLineApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's naming
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

            def do_DELETE(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeLineApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- test controls and views ---
    def fail_next(self, path: str, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests whose path contains ``path`` with ``status``."""
        with self._lock:
            self._failures.append(_Failure(path, status, times))

    def calls(self, path: str, *, ok_only: bool = True) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if path in r.path
                    and (not ok_only or 200 <= r.status < 300)]

    @property
    def pushes(self) -> list[dict[str, Any]]:
        """The bodies of the pushes LINE accepted."""
        return [r.json for r in self.calls("/v2/bot/message/push")]

    @property
    def replies(self) -> list[dict[str, Any]]:
        return [r.json for r in self.calls("/v2/bot/message/reply")]

    def reply_texts(self) -> list[str]:
        """Every text (and alt text) sent in replies, in order."""
        out = []
        for body in self.replies:
            for message in body.get("messages", []):
                out.append(message.get("text") or message.get("altText") or "")
                template = message.get("template") or {}
                out.extend(a.get("uri", "") for a in template.get("actions", []))
        return out

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- the API ---
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        status, payload, extra = self._answer(handler.command, handler.path, headers, body)
        with self._lock:
            self.requests.append(Recorded(handler.command, handler.path, headers, body, status))
        data = json.dumps(payload).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("x-line-request-id", secrets.token_hex(8))
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, method: str, path: str, headers: dict[str, str],
                body: bytes) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            for failure in self._failures:
                if failure.path in path and failure.times > 0:
                    failure.times -= 1
                    return failure.status, {"message": f"fake failure {failure.status}"}, {}
        if headers.get("authorization") != f"Bearer {self.access_token}":
            return 401, {"message": "Authentication failed"}, {}
        try:
            data = json.loads(body) if body and "json" in headers.get("content-type", "") else {}
        except ValueError:
            return 400, {"message": "The request body has 1 error(s)"}, {}
        if method == "POST" and path == "/v2/bot/message/push":
            if not data.get("to") or not data.get("messages"):
                return 400, {"message": "The request body has 1 error(s)"}, {}
            key = headers.get("x-line-retry-key")
            if key:
                with self._lock:
                    if key in self._accepted_keys:
                        return 409, {"message": "The retry key is already accepted"}, {
                            "x-line-accepted-request-id": "accepted"}
                    self._accepted_keys.add(key)
            return 200, {"sentMessages": [{"id": secrets.token_hex(6)}]}, {}
        if method == "POST" and path == "/v2/bot/message/reply":
            if not data.get("replyToken") or not data.get("messages"):
                return 400, {"message": "Invalid reply token"}, {}
            return 200, {"sentMessages": [{"id": secrets.token_hex(6)}]}, {}
        if method == "POST" and re.fullmatch(r"/v2/bot/user/[^/]+/linkToken", path):
            return 200, {"linkToken": "fakeLinkToken" + secrets.token_hex(10)}, {}
        if method == "POST" and path == "/v2/bot/richmenu":
            if len(data.get("areas", [])) < 1:
                return 400, {"message": "must specify areas"}, {}
            return 200, {"richMenuId": "richmenu-" + secrets.token_hex(16)}, {}
        if method == "POST" and re.fullmatch(r"/v2/bot/richmenu/[^/]+/content", path):
            if headers.get("content-type") not in ("image/png", "image/jpeg") or not body:
                return 400, {"message": "image required"}, {}
            return 200, {}, {}
        if method == "POST" and re.fullmatch(r"/v2/bot/user/all/richmenu/[^/]+", path):
            return 200, {}, {}
        return 404, {"message": "Not found"}, {}


def main() -> None:
    parser = argparse.ArgumentParser(description="A local fake of the LINE Messaging API.")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--token", default="fake-access-token")
    args = parser.parse_args()
    fake = FakeLineApi(access_token=args.token, port=args.port).start()
    print(f"fake LINE API on {fake.url} (token {args.token}); Ctrl-C stops it", flush=True)
    shown = 0
    try:
        while True:
            time.sleep(0.5)
            with fake._lock:
                new = fake.requests[shown:]
            for request in new:
                print(request.status, request.method, request.path,
                      request.body[:500].decode("utf-8", "replace"), flush=True)
            shown += len(new)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
