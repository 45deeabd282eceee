"""Identity providers: verify who a resident is (公的個人認証, デジタル認証アプリ, OIDC ...).

A provider is a plugin: a subclass of :class:`IdentityProvider`, one instance registered in
:data:`identity_providers` under its ``id`` from the ``ready()`` of the app that holds it
(``madoguchi/identity/contrib/<provider>/``). The sign-in views (residents) drive every provider
the same way::

    response = provider.start(request, next_url="/mypage/")   # redirect to the provider
    ...                                                        # the provider calls us back
    identity = provider.complete(request)                      # VerifiedIdentity or IdentityError
    response = provider.logout(request, next_url="/")          # end the provider's session
"""

from __future__ import annotations

import datetime as dt
import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse

from madoguchi.core.plugins import Registry


class AssuranceLevel(enum.IntEnum):
    """How strongly the provider proved the identity (身元確認保証レベル, NIST SP 800-63 IAL).

    ``LOW``: self-asserted or e-mail verified; ``SUBSTANTIAL``: checked against an identity
    document remotely; ``HIGH``: a signature with a certificate of the マイナンバーカード
    (公的個人認証, JPKI) or an equivalent check in person. Compare levels with ``>=``.
    """

    LOW = 1
    SUBSTANTIAL = 2
    HIGH = 3


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a provider vouches for after a successful sign-in.

    ``subject`` is the provider's stable, opaque id for the person (never a マイナンバー);
    the four basic attributes (基本4情報: 氏名, 住所, 生年月日, 性別) are as the provider
    stated them, ``""``/``None`` when it did not release one. ``claims`` keeps the other
    released attributes for the audit trail, never secrets or tokens.
    """

    provider: str
    subject: str
    assurance: AssuranceLevel
    name: str = ""
    name_kana: str = ""
    address: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    claims: dict[str, Any] | None = None


class IdentityError(Exception):
    """Sign-in failed or was refused; ``message`` is shown to the resident (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IdentityProvider(ABC):
    """The contract of an identity provider.

    Attributes: ``id`` (the registry id, also in callback URLs), ``label`` (translatable, on the
    sign-in button), ``assurance`` (the level the provider normally reaches), ``demo`` (a demo
    provider is enabled only with MADOGUCHI_DEMO or in tests).

    Security expectations for every provider:

    - ``start`` binds the round trip to the browser session (``state``/``nonce`` or the
      protocol's equivalent, PKCE where supported); ``complete`` refuses a callback whose binding
      does not match, is replayed or has expired.
    - Tokens, certificates and signatures are verified against the provider's published keys
      before any attribute is believed; no attribute is taken from the query string unsigned.
    - ``next_url`` is only ever a local path (the caller checks it; a provider never redirects
      elsewhere after sign-in).
    - Nothing secret (tokens, certificate serials, マイナンバー) is logged or kept in
      :attr:`VerifiedIdentity.claims`.
    """

    id: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    assurance: ClassVar[AssuranceLevel] = AssuranceLevel.LOW
    demo: ClassVar[bool] = False

    @abstractmethod
    def start(self, request: HttpRequest, *, next_url: str) -> HttpResponse:
        """Begin sign-in: store the session binding and return the redirect to the provider.

        ``next_url`` is where the resident goes after :meth:`complete` succeeds (keep it in the
        session, not in the provider's URL). Raises :class:`IdentityError` when the provider
        cannot be reached or is misconfigured. Calling it again simply starts a new round trip.
        """

    @abstractmethod
    def complete(self, request: HttpRequest) -> VerifiedIdentity:
        """Finish sign-in from the provider's callback ``request`` and return who it verified.

        Verifies the session binding and the provider's signature first; raises
        :class:`IdentityError` on any failure (cancelled by the resident, expired, bad
        signature, attributes missing that the provider must release). A callback is single
        use: the second call with the same callback raises IdentityError.
        """

    @abstractmethod
    def logout(self, request: HttpRequest, *, next_url: str) -> HttpResponse | None:
        """End the provider's session too, when it has one: return the redirect to its logout
        endpoint, or ``None`` when there is nothing to end. Idempotent; never raises for a
        resident who is already signed out."""


class IdentityProviderRegistry(Registry[IdentityProvider]):
    """The installed identity providers (one instance each, registered under their ``id``)."""

    plugin_class = IdentityProvider
    id_attribute = "id"


identity_providers = IdentityProviderRegistry("identity_providers")
