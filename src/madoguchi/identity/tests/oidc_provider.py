"""A small, real OpenID provider for the tests, served over HTTP by a thread on a free port.

Built on Authlib (PKCE S256 from ``authlib.oauth2.rfc7636``) and joserfc, Authlib's JOSE library:
discovery, JWKS, an authorize endpoint that approves at once (or shows a one-button page),
a token endpoint that checks the client secret, the redirect URI and the PKCE verifier and lets
a code be used once, UserInfo and an end-session endpoint. ID tokens are RS256 with rotating
keys. Test switches (``tamper``) make it misbehave in the ways a client must refuse.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "madoguchi-test"
CLIENT_SECRET = "test-secret-not-real"


def _key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"},
                               private=True)


class LocalProvider:
    """The provider's state: keys, codes, the person who signs in, and test switches."""

    def __init__(self) -> None:
        self.keys = [_key("k1")]
        self.codes: dict[str, dict[str, Any]] = {}
        self.used_codes: set[str] = set()
        self.person: dict[str, Any] = self.default_person()
        self.tamper: dict[str, Any] = {}
        self.auto_approve = True
        self.logouts: list[dict[str, str]] = []
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @staticmethod
    def default_person() -> dict[str, Any]:
        """The person who signs in: the 基本4情報 as a card-based provider releases them."""
        return {
            "sub": "card-0001", "name": "山田 太郎", "birthdate": "1980-04-01",
            "gender": "male",
            "address": {"formatted": "東京都千代田区霞が関1-1-1", "postal_code": "100-0013",
                        "region": "東京都", "locality": "千代田区",
                        "street_address": "霞が関1-1-1"},
            "email": "card-taro@example.jp", "email_verified": True,
        }

    # --- lifecycle ---
    def start(self) -> LocalProvider:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def config(self, **overrides: Any) -> dict[str, Any]:
        """A ``settings.OIDC_PROVIDERS`` entry pointing at this provider."""
        return {
            "id": "card", "label": {"ja": "マイナンバーカード", "en": "My Number Card"},
            "issuer": self.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scopes": ["openid", "profile", "email", "address"], "assurance": "high",
            "purpose": "resident", **overrides,
        }

    def rotate(self) -> None:
        """Publish a new signing key and retire the old one (as a provider rotating keys)."""
        self.keys = [_key(f"k{secrets.token_hex(4)}")]

    # --- protocol ---
    def discovery(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base, "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/jwks",
            "userinfo_endpoint": f"{base}/userinfo", "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.as_dict(private=False) for k in self.keys]}

    def authorize(self, query: dict[str, str]) -> str:
        """The redirect back to the client with a new code (the person approved)."""
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            raise ValueError("PKCE S256 required")
        code = secrets.token_urlsafe(24)
        self.codes[code] = {**query, "at": time.time()}
        answer = {"code": code, "state": self.tamper.get("state", query.get("state", ""))}
        return f"{query['redirect_uri']}?{urlencode(answer)}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            client_id, _sep, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        code = form.get("code", "")
        grant = self.codes.pop(code, None)
        if grant is None or code in self.used_codes:
            return 400, {"error": "invalid_grant"}
        self.used_codes.add(code)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        if create_s256_code_challenge(verifier) != grant["code_challenge"]:
            return 400, {"error": "invalid_grant"}
        return 200, {"access_token": "at-" + secrets.token_urlsafe(16), "token_type": "Bearer",
                     "expires_in": 300, "id_token": self.id_token(grant)}

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time()) + int(self.tamper.get("time_shift", 0))
        claims = {
            "iss": self.issuer, "sub": self.person["sub"],
            "aud": self.tamper.get("aud", grant["client_id"]),
            "iat": now, "exp": now + 300, "auth_time": now,
            "nonce": self.tamper.get("nonce", grant.get("nonce", "")),
            **{k: v for k, v in self.person.items() if k != "sub"},
        }
        key = _key("stranger") if self.tamper.get("unknown_key") else self.keys[0]
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        if not authorization.startswith("Bearer at-"):
            return 401, {"error": "invalid_token"}
        return 200, dict(self.person)


def _handler(provider: LocalProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                if provider.auto_approve or query.get("approve") == "1":
                    try:
                        self._redirect(provider.authorize(query))
                    except (ValueError, KeyError):
                        self._json(400, {"error": "invalid_request"})
                    return
                page = ("<!doctype html><html lang='ja'><head><title>テストIdP</title></head>"
                        "<body><main><h1>テストIdP</h1><form method='get' action='/authorize'>"
                        + "".join(f"<input type='hidden' name='{k}' value='{v}'>"
                                  for k, v in query.items())
                        + "<input type='hidden' name='approve' value='1'>"
                        "<button>同意する</button></form></main></body></html>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)
            elif url.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization", "")))
            elif url.path == "/logout":
                provider.logouts.append(query)
                self._redirect(query.get("post_logout_redirect_uri", "/"))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlparse(self.path).path == "/token" and provider.tamper.get("token_down"):
                self.close_connection = True  # the provider falls over mid sign-in
                self.connection.close()
                return
            if urlparse(self.path).path == "/token":
                self._json(*provider.token(form, self.headers.get("Authorization", "")))
            else:
                self._json(404, {"error": "not_found"})

    return Handler
