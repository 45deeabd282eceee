"""AES-256-GCM encryption of sensitive values under rotating key ids.

Keys come from ``settings.ENCRYPTION_KEYS`` as ``kid:base64key,kid2:base64key``; the first key
encrypts, every listed key decrypts. A sealed value reads ``v1:<kid>:<base64(nonce+ciphertext)>``.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1"


class DecryptionError(Exception):
    """The value was not sealed with a known key or has been altered."""


@lru_cache(maxsize=8)
def _parse_keys(spec: str) -> tuple[str, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    first = ""
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        kid, _, encoded = item.partition(":")
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise ValueError(f"encryption key {kid!r} must be 32 bytes")
        keys[kid] = key
        first = first or kid
    if not first:
        raise ValueError("MADOGUCHI_ENCRYPTION_KEYS holds no key")
    return first, keys


def _keys() -> tuple[str, dict[str, bytes]]:
    return _parse_keys(settings.ENCRYPTION_KEYS)


@lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    """The cipher of a key, built once (a bulk import seals a million values)."""
    return AESGCM(key)


def seal(value: Any, *, context: str) -> str:
    """Encrypt a JSON-serialisable value; ``context`` binds it to its owner (e.g. a record id)."""
    kid, keys = _keys()
    nonce = os.urandom(12)
    plaintext = json.dumps(value, ensure_ascii=False).encode()
    ciphertext = _aead(keys[kid]).encrypt(nonce, plaintext, context.encode())
    return f"{PREFIX}:{kid}:{base64.b64encode(nonce + ciphertext).decode()}"


def unseal(token: str, *, context: str) -> Any:
    """Decrypt a value produced by :func:`seal` with the same ``context``."""
    try:
        prefix, kid, encoded = token.split(":", 2)
        key = _keys()[1][kid]
        raw = base64.b64decode(encoded)
        plaintext = _aead(key).decrypt(raw[:12], raw[12:], context.encode())
    except (ValueError, KeyError, Exception) as exc:  # any failure means "not ours"
        raise DecryptionError("cannot decrypt sealed value") from exc
    if prefix != PREFIX:
        raise DecryptionError("unknown sealed value version")
    return json.loads(plaintext)


def key_id_of(token: str) -> str:
    """The id of the key a sealed value was encrypted with."""
    return token.split(":", 2)[1]


def current_key_id() -> str:
    return _keys()[0]
