"""The OpenID Connect identity provider plugin: one instance per configured provider."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from madoguchi.core.i18n import localized
from madoguchi.identity.plugins import (
    IdentityError,
    IdentityProvider,
    VerifiedIdentity,
    identity_providers,
)

from . import client
from .config import ProviderConfig, claim, parse

SESSION_PREFIX = "oidc:"  # + provider id: the round trip in progress (state, nonce, verifier)
LOGOUT_PREFIX = "oidc_logout:"  # + provider id: the ID token, as the hint for RP logout
ROUND_TRIP_SECONDS = 600  # a sign-in not finished within 10 minutes starts over

MESSAGES = {
    "state": _("This sign-in does not belong to this browser, or it was already used. "
               "Please start the sign-in again."),
    "cancelled": _("The sign-in was cancelled at the identity provider. You can try again."),
    "expired_round_trip": _("The sign-in took too long. Please start again."),
    "token_refused": _("The identity provider did not accept this sign-in (it may have been "
                       "used already). Please start the sign-in again."),
    "nonce": _("The identity provider's answer does not belong to this sign-in. Please start "
               "the sign-in again."),
    "expired": _("The identity provider's answer has expired. Please start the sign-in "
                 "again."),
    "unknown_key": _("The identity provider's answer is signed with a key we do not know, so "
                     "it cannot be trusted. Please try again later."),
    "bad_signature": _("The identity provider's signature could not be verified, so the "
                       "answer cannot be trusted. Please try again later."),
    "claim_aud": _("The identity provider's answer was issued for another service. Please "
                   "start the sign-in again."),
    "other": _("The identity provider's answer could not be verified. Please start the "
               "sign-in again."),
}


class SignInRefused(IdentityError):
    """A refused sign-in: ``message`` for the person, ``reason`` (a short code) for the log."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ProviderUnavailable(SignInRefused):
    """The provider cannot be reached now (the rest of the site keeps working)."""


def _refused(reason: str) -> SignInRefused:
    return SignInRefused(str(MESSAGES.get(reason, MESSAGES["other"])), reason)


def _unavailable() -> ProviderUnavailable:
    return ProviderUnavailable(str(_("The identity provider cannot be reached at the moment. "
                                     "Please try again later.")), "unavailable")


class OIDCProvider(IdentityProvider):
    """An OpenID provider; subclassed per configuration by :func:`configure`."""

    config: ProviderConfig

    @property
    def display_label(self) -> str:
        """The label in the active language."""
        return localized(dict(self.config.label))

    @property
    def purpose(self) -> str:
        return self.config.purpose

    def redirect_uri(self, request: HttpRequest) -> str:
        name = "staff:oidc_callback" if self.purpose == "staff" else "residents:oidc_callback"
        return request.build_absolute_uri(reverse(name, args=[self.id]))

    def start(self, request: HttpRequest, *, next_url: str) -> HttpResponse:
        try:
            endpoint = client.metadata(self.config)["authorization_endpoint"]
        except (client.Unreachable, client.TokenRefused) as exc:
            raise _unavailable() from exc
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        request.session[SESSION_PREFIX + self.id] = {
            "state": state, "nonce": nonce, "verifier": verifier, "next": next_url,
            "at": int(time.time()),
        }
        query = urlencode({
            "response_type": "code", "client_id": self.config.client_id,
            "redirect_uri": self.redirect_uri(request), "scope": " ".join(self.config.scopes),
            "state": state, "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        })
        separator = "&" if "?" in endpoint else "?"
        return HttpResponseRedirect(f"{endpoint}{separator}{query}")

    def pending_next(self, request: HttpRequest) -> str:
        """Where the round trip in progress goes after sign-in ("" when none)."""
        pending = request.session.get(SESSION_PREFIX + self.id)
        return str(pending.get("next", "")) if isinstance(pending, dict) else ""

    def complete(self, request: HttpRequest) -> VerifiedIdentity:
        pending = request.session.pop(SESSION_PREFIX + self.id, None)  # single use
        state = request.GET.get("state", "")
        if (not isinstance(pending, dict) or not state
                or not secrets.compare_digest(str(pending.get("state", "")), state[:200])):
            raise _refused("state")
        if time.time() - int(pending.get("at", 0)) > ROUND_TRIP_SECONDS:
            raise _refused("expired_round_trip")
        if request.GET.get("error"):
            raise _refused("cancelled")
        code = request.GET.get("code", "")[:2000]
        if not code:
            raise _refused("other")
        try:
            token = client.exchange_code(self.config, code=code,
                                         redirect_uri=self.redirect_uri(request),
                                         code_verifier=str(pending["verifier"]))
            claims = client.verify_id_token(self.config, str(token["id_token"]),
                                            nonce=str(pending["nonce"]))
            extra = client.userinfo(self.config, str(token.get("access_token", "")))
        except client.Unreachable as exc:
            raise _unavailable() from exc
        except client.TokenRefused as exc:
            raise _refused(exc.reason) from exc
        if extra and extra.get("sub") == claims["sub"]:
            claims = {**extra, **claims}
        request.session[LOGOUT_PREFIX + self.id] = str(token["id_token"])
        return self.identity_from(claims)

    def identity_from(self, claims: Mapping[str, Any]) -> VerifiedIdentity:
        """The verified identity out of checked claims, through the configured claim names."""
        names = self.config.claims

        def text(attribute: str) -> str:
            value = claim(claims, names.get(attribute, ""))
            return str(value).strip()[:300] if isinstance(value, str | int) else ""

        birth_date = None
        try:
            birth_date = dt.date.fromisoformat(text("birth_date")) if text("birth_date") else None
        except ValueError:
            birth_date = None
        sex = self.config.sex_values.get(text("sex").lower(), "")
        kept = {k: claims[k] for k in ("email", "email_verified", "acr", "amr", "auth_time")
                if k in claims}
        address = claim(claims, names.get("address", "").split(".")[0])
        if isinstance(address, Mapping):  # the structured OIDC address claim
            kept["address"] = {k: str(v) for k, v in address.items() if isinstance(v, str | int)}
        if names.get("email") and names["email"] != "email":
            kept["email"] = text("email")
        return VerifiedIdentity(
            provider=self.id, subject=str(claims["sub"])[:255], assurance=self.assurance,
            name=text("name"), name_kana=text("name_kana"), address=text("address"),
            birth_date=birth_date, sex=sex, claims=kept,
        )

    def logout(self, request: HttpRequest, *, next_url: str) -> HttpResponse | None:
        id_token = request.session.pop(LOGOUT_PREFIX + self.id, None)
        try:
            endpoint = client.metadata(self.config).get("end_session_endpoint")
        except (client.Unreachable, client.TokenRefused):
            return None
        if not endpoint:
            return None
        query: dict[str, str] = {"client_id": self.config.client_id,
                                 "post_logout_redirect_uri": request.build_absolute_uri(next_url)}
        if id_token:
            query["id_token_hint"] = id_token
        separator = "&" if "?" in endpoint else "?"
        return HttpResponseRedirect(f"{endpoint}{separator}{urlencode(query)}")


_configured: list[str] = []


def configure(entries: Iterable[Mapping[str, Any]]) -> list[OIDCProvider]:
    """(Re)register one provider per configuration entry; returns the providers."""
    for provider_id in _configured:
        if provider_id in identity_providers:
            identity_providers.unregister(provider_id)
    _configured.clear()
    client.clear_cache()
    providers: list[OIDCProvider] = []
    for entry in entries:
        config = parse(entry)
        cls = type(f"OIDCProvider_{config.id}", (OIDCProvider,), {
            "id": config.id, "config": config, "assurance": config.assurance,
            "label": config.label.get("ja") or config.id,
        })
        provider: OIDCProvider = cls()
        identity_providers.register(config.id, provider)
        _configured.append(config.id)
        providers.append(provider)
    return providers


def oidc_providers(purpose: str) -> list[OIDCProvider]:
    """The configured providers for ``purpose`` ("resident" or "staff"), in configured order."""
    providers: list[OIDCProvider] = []
    for _id, provider in identity_providers.enabled():
        if isinstance(provider, OIDCProvider) and provider.purpose == purpose:
            providers.append(provider)
    return providers
