"""Talking to an OpenID provider: discovery, its keys (JWKS), the token request, the ID token.

Discovery and the key set are cached per provider; a token signed with a key id the cached set
does not hold fetches the set once more (the provider rotated its keys) before refusing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from .config import ProviderConfig

ALGORITHMS = ["RS256", "PS256", "ES256"]


class Unreachable(Exception):
    """The provider did not answer (down, timeout, not JSON)."""


class TokenRefused(Exception):
    """The provider's answer or token is not acceptable; ``reason`` is a short code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_cache: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every cached discovery document and key set (tests, configuration reload)."""
    with _lock:
        _cache.clear()


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT_SECONDS)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise Unreachable(url) from exc
    if not isinstance(data, dict):
        raise Unreachable(url)
    return data


def _cached(key: str, fetch: Any, *, refresh: bool = False) -> Any:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and not refresh and now - hit[0] < settings.OIDC_CACHE_SECONDS:
        return hit[1]
    value = fetch()
    with _lock:
        _cache[key] = (now, value)
    return value


def metadata(config: ProviderConfig) -> dict[str, Any]:
    """The provider's discovery document (cached); its issuer must be the configured one."""
    def fetch() -> dict[str, Any]:
        data = _get_json(config.discovery_url)
        if str(data.get("issuer", "")).rstrip("/") != config.issuer:
            raise TokenRefused("issuer_mismatch")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not data.get(key):
                raise Unreachable(config.discovery_url)
        return data
    return _cached("meta:" + config.id, fetch)  # type: ignore[no-any-return]


def key_set(config: ProviderConfig, *, refresh: bool = False) -> KeySet:
    """The provider's public keys (cached; ``refresh`` fetches them again)."""
    uri = metadata(config)["jwks_uri"]

    def fetch() -> KeySet:
        try:
            return KeySet.import_key_set(_get_json(uri))  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise Unreachable(uri) from exc
    return _cached("jwks:" + config.id, fetch, refresh=refresh)  # type: ignore[no-any-return]


def exchange_code(config: ProviderConfig, *, code: str, redirect_uri: str,
                  code_verifier: str) -> dict[str, Any]:
    """Trade the authorization code (with the PKCE verifier) for the provider's tokens."""
    session = OAuth2Session(
        config.client_id, config.client_secret or None,
        token_endpoint_auth_method=config.token_auth, redirect_uri=redirect_uri,
    )
    try:
        token = session.fetch_token(
            metadata(config)["token_endpoint"], grant_type="authorization_code", code=code,
            code_verifier=code_verifier, timeout=settings.OIDC_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise Unreachable(config.id) from exc
    except Exception as exc:  # Authlib's OAuthError: the provider refused the code
        raise TokenRefused("token_refused") from exc
    finally:
        session.close()
    if "id_token" not in token:
        raise TokenRefused("no_id_token")
    return dict(token)


def verify_id_token(config: ProviderConfig, id_token: str, *, nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce check out."""
    keys = key_set(config)
    try:
        try:
            decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            decoded = jwt.decode(id_token, key_set(config, refresh=True), algorithms=ALGORITHMS)
    except InvalidKeyIdError as exc:
        raise TokenRefused("unknown_key") from exc
    except JoseError as exc:
        raise TokenRefused("bad_signature") from exc
    except ValueError as exc:
        raise TokenRefused("malformed") from exc
    claims: Mapping[str, Any] = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=settings.OIDC_LEEWAY_SECONDS,
        iss={"essential": True, "value": config.issuer},
        aud={"essential": True, "value": config.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(dict(claims))
    except ExpiredTokenError as exc:
        raise TokenRefused("expired") from exc
    except JoseError as exc:
        field = getattr(exc, "claim", "") or ""
        raise TokenRefused(f"claim_{field}" if field else "claims") from exc
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or iat > time.time() + settings.OIDC_LEEWAY_SECONDS:
        raise TokenRefused("claim_iat")
    if not nonce or claims.get("nonce") != nonce:
        raise TokenRefused("nonce")
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != config.client_id:
        raise TokenRefused("claim_azp")
    return dict(claims)


def userinfo(config: ProviderConfig, access_token: str) -> dict[str, Any]:
    """The UserInfo claims (``{}`` when the provider has no such endpoint)."""
    endpoint = metadata(config).get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    try:
        response = requests.get(endpoint, headers={"Authorization": f"Bearer {access_token}"},
                                timeout=settings.OIDC_TIMEOUT_SECONDS)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise Unreachable(endpoint) from exc
    return data if isinstance(data, dict) else {}
