"""The configuration of one OpenID Connect provider, read from ``settings.OIDC_PROVIDERS``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from madoguchi.identity.plugins import AssuranceLevel

PURPOSES = ("resident", "staff")
LEVELS = {"low": AssuranceLevel.LOW, "substantial": AssuranceLevel.SUBSTANTIAL,
          "high": AssuranceLevel.HIGH}
# Which claim holds each basic attribute (基本4情報) unless the configuration says otherwise;
# a dotted name reads inside an object claim (``address.formatted``).
DEFAULT_CLAIMS = {
    "name": "name",
    "name_kana": "",
    "address": "address.formatted",
    "birth_date": "birthdate",
    "sex": "gender",
    "email": "email",
}
# The ``gender`` claim (OIDC: "male"/"female"; ISO 5218: 1/2) as the value the form stores.
DEFAULT_SEX_VALUES = {"male": "male", "female": "female", "1": "male", "2": "female"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class ConfigurationError(ValueError):
    """A provider's configuration is incomplete or wrong (raised at start-up)."""


@dataclass(frozen=True)
class ProviderConfig:
    id: str
    label: Mapping[str, str]
    issuer: str
    client_id: str
    client_secret: str
    discovery_url: str
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    assurance: AssuranceLevel = AssuranceLevel.LOW
    purpose: str = "resident"
    claims: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CLAIMS))
    # How the client authenticates at the token endpoint.
    token_auth: str = "client_secret_basic"  # noqa: S105 (a method name, not a secret)
    # Values of the ``gender`` claim mapped to the form's choice values (男/女).
    sex_values: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SEX_VALUES))


def parse(entry: Mapping[str, Any]) -> ProviderConfig:
    """One provider from its JSON object; raises :class:`ConfigurationError` when wrong."""
    missing = [k for k in ("id", "label", "issuer", "client_id") if not entry.get(k)]
    if missing:
        raise ConfigurationError(f"OIDC provider {entry.get('id', '?')}: missing {missing}")
    provider_id = str(entry["id"])
    if not _ID.match(provider_id):
        raise ConfigurationError(f"OIDC provider id {provider_id!r}: use a-z, 0-9, - and _")
    label = entry["label"]
    if isinstance(label, str):
        label = {"ja": label, "en": label}
    issuer = str(entry["issuer"]).rstrip("/")
    purpose = str(entry.get("purpose", "resident"))
    if purpose not in PURPOSES:
        raise ConfigurationError(f"OIDC provider {provider_id}: purpose must be one of {PURPOSES}")
    level = str(entry.get("assurance", "low")).lower()
    if level not in LEVELS:
        raise ConfigurationError(f"OIDC provider {provider_id}: assurance must be one of "
                                 f"{sorted(LEVELS)}")
    scopes = tuple(entry.get("scopes") or ("openid", "profile", "email"))
    if "openid" not in scopes:
        scopes = ("openid", *scopes)
    token_auth = str(entry.get("token_auth", "client_secret_basic"))
    if token_auth not in ("client_secret_basic", "client_secret_post", "none"):
        raise ConfigurationError(f"OIDC provider {provider_id}: unknown token_auth {token_auth}")
    return ProviderConfig(
        id=provider_id, label=dict(label), issuer=issuer,
        client_id=str(entry["client_id"]), client_secret=str(entry.get("client_secret", "")),
        discovery_url=str(entry.get("discovery_url")
                          or f"{issuer}/.well-known/openid-configuration"),
        scopes=scopes, assurance=LEVELS[level], purpose=purpose,
        claims={**DEFAULT_CLAIMS, **dict(entry.get("claims") or {})},
        token_auth=token_auth,
        sex_values={**DEFAULT_SEX_VALUES, **dict(entry.get("sex_values") or {})},
    )


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` in ``claims`` (``None`` when absent or path empty)."""
    if not path:
        return None
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
