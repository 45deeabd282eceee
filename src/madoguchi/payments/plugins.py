"""Payment providers: take a fee online, learn its outcome, refund it.

A provider is a plugin: a subclass of :class:`PaymentProvider`, one instance registered in
:data:`payment_providers` under its ``id`` from the ``ready()`` of the app that holds it
(``madoguchi/payments/contrib/<provider>/``). The payment flow drives every provider the same way::

    started = provider.start(request, amount=300, reference="R-2026-000123", ...)
    # redirect the resident to started.redirect_url; later, either or both of:
    result = provider.handle_return(request)     # the resident's browser comes back
    result = provider.handle_webhook(request)    # the provider calls us server to server
    result = provider.status(started.payment_id) # ask when unsure
    result = provider.refund(started.payment_id, amount=300, reason="...")

Amounts are whole yen (``int``); the city's records, not the provider, decide what is owed.
"""

from __future__ import annotations

import datetime as dt
import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from django.http import HttpRequest

from madoguchi.core.plugins import Registry


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # started, outcome not known yet
    PAID = "paid"
    FAILED = "failed"  # refused or abandoned; the resident may start again
    EXPIRED = "expired"  # not paid in time (a checkout page or konbini voucher ran out)
    CANCELLED = "cancelled"
    REFUNDED = "refunded"  # the whole amount went back
    PARTIALLY_REFUNDED = "partially_refunded"


@dataclass(frozen=True)
class PaymentStart:
    """A started payment: where to send the resident and the provider's id for it."""

    payment_id: str
    redirect_url: str
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class PaymentResult:
    """What the provider says about one payment now.

    ``amount`` is what was paid (yen), ``refunded`` what went back; ``reference`` echoes the
    reference given to :meth:`PaymentProvider.start`, so the caller finds its own record.
    """

    payment_id: str
    reference: str
    status: PaymentStatus
    amount: int
    refunded: int = 0
    paid_at: dt.datetime | None = None
    method: str = ""  # card, paypay, konbini ... as the provider names it


class PaymentError(Exception):
    """The provider refused or could not be reached; ``message`` can be shown (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PaymentSignatureError(PaymentError):
    """A return or webhook whose signature does not verify: answer 400 and record nothing."""


class PaymentProvider(ABC):
    """The contract of a payment provider.

    Attributes: ``id`` (registry id, in return and webhook URLs), ``label`` (translatable,
    shown to the resident), ``demo`` (enabled only with MADOGUCHI_DEMO or in tests).

    Security and correctness expectations for every provider:

    - Every return and webhook is verified (signature or HMAC with the provider's secret, with
      a constant-time comparison, and a timestamp window against replays) before it is
      believed; :class:`PaymentSignatureError` otherwise. A browser return alone never marks a
      payment paid without that verification or a :meth:`status` call.
    - Idempotency: ``start`` with the same ``reference`` must not charge twice (use the
      provider's idempotency key); ``handle_webhook`` for an event already seen returns the
      same result; ``refund`` carries an idempotency key derived from its arguments.
    - No card data ever passes through Madoguchi (redirect or hosted fields only); secrets come
      from settings or the environment, never from the database in clear.
    """

    id: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    demo: ClassVar[bool] = False

    @abstractmethod
    def start(self, request: HttpRequest, *, amount: int, reference: str, description: str,
              return_url: str) -> PaymentStart:
        """Create a payment of ``amount`` yen (> 0) for our ``reference`` (a receipt number).

        ``description`` is what the resident sees at the provider (手続き名 and fee);
        ``return_url`` is the absolute URL the provider sends the browser back to. Raises
        :class:`PaymentError` when the provider refuses. Same ``reference`` twice: the same
        pending payment (or a new one after the first failed), never a second charge.
        """

    @abstractmethod
    def handle_return(self, request: HttpRequest) -> PaymentResult:
        """Read the browser's return from the provider: verify it, then report the outcome.

        Raises :class:`PaymentSignatureError` when the return cannot be verified.
        """

    @abstractmethod
    def handle_webhook(self, request: HttpRequest) -> PaymentResult:
        """Read a server-to-server notification: verify its signature, then report the payment.

        Raises :class:`PaymentSignatureError` for an unsigned, mis-signed or stale request.
        Safe to call again with the same event (providers retry).
        """

    @abstractmethod
    def refund(self, payment_id: str, *, amount: int, reason: str) -> PaymentResult:
        """Give back ``amount`` yen (all or part of what was paid) and return the new state.

        Raises :class:`PaymentError` when it cannot be refunded (not paid, more than what is
        left). Repeating the same refund does not pay out twice.
        """

    @abstractmethod
    def status(self, payment_id: str) -> PaymentResult:
        """Ask the provider for the current state of ``payment_id`` (read only)."""


class PaymentProviderRegistry(Registry[PaymentProvider]):
    """The installed payment providers (one instance each, registered under their ``id``)."""

    plugin_class = PaymentProvider
    id_attribute = "id"


payment_providers = PaymentProviderRegistry("payment_providers")
