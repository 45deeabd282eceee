"""Stripe Checkout (cards and コンビニ決済) through Stripe's official Python SDK.

Settings: ``STRIPE_SECRET_KEY``, ``STRIPE_WEBHOOK_SECRET`` (the endpoint's ``whsec_`` secret)
and, for tests only, ``STRIPE_API_BASE`` (a local fake of the API). A payment is a Checkout
Session (``payment_id`` is its ``cs_`` id); the reference is sent as ``client_reference_id``
and metadata, and is the idempotency key of the create call. Webhooks are verified with the
SDK's ``stripe.Webhook.construct_event``; refunds and charges are read back from the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import stripe
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.payments.plugins import (
    PaymentError,
    PaymentProvider,
    PaymentResult,
    PaymentSignatureError,
    PaymentStart,
    PaymentStatus,
)

SESSION_LIFETIME = dt.timedelta(hours=24)
# Konbini vouchers stay payable for a few days after the session completes.
KONBINI_DAYS = 3
SESSION_EVENTS = frozenset({
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired",
})
FAILED_INTENT = frozenset({"canceled", "requires_payment_method"})
PAYMENT_EVENTS = frozenset({"charge.refunded", "refund.updated", "charge.refund.updated"})


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    try:
        return obj[key]
    except (KeyError, TypeError):
        return None


def client() -> stripe.StripeClient:
    base = getattr(settings, "STRIPE_API_BASE", "")
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2,
                               base_addresses={"api": base} if base else None)


def session_result(session: Any) -> PaymentResult:
    """A Checkout Session (with its payment intent and charge expanded, if any) as a result."""
    reference = _get(session, "client_reference_id") or _get(_get(session, "metadata"),
                                                             "reference") or ""
    intent = _get(session, "payment_intent")
    charge = _get(intent, "latest_charge") if not isinstance(intent, str) else None
    refunded = int(_get(charge, "amount_refunded") or 0) if not isinstance(charge, str) else 0
    intent_status = _get(intent, "status") if not isinstance(intent, str) else None
    status = PaymentStatus.PENDING
    if _get(session, "payment_status") == "paid":
        status = PaymentStatus.PAID
    elif _get(session, "status") == "expired":
        status = PaymentStatus.EXPIRED
    elif _get(session, "status") == "complete" and intent_status in FAILED_INTENT:
        status = PaymentStatus.FAILED  # a konbini voucher not paid in time, a declined debit
    if status == PaymentStatus.PAID and refunded:
        status = (PaymentStatus.REFUNDED if refunded >= int(_get(session, "amount_total") or 0)
                  else PaymentStatus.PARTIALLY_REFUNDED)
    methods = _get(intent, "payment_method_types") if not isinstance(intent, str) else None
    created = _get(charge, "created") if not isinstance(charge, str) else None
    return PaymentResult(
        payment_id=str(_get(session, "id")), reference=str(reference), status=status,
        amount=int(_get(session, "amount_total") or 0), refunded=refunded,
        paid_at=dt.datetime.fromtimestamp(created, tz=dt.UTC) if created else None,
        method=str(_get(charge, "payment_method_details") and
                   _get(_get(charge, "payment_method_details"), "type") or
                   (methods[0] if methods else "")))


class StripeProvider(PaymentProvider):
    """Stripe Checkout, JPY, cards and コンビニ決済."""

    id = "stripe"
    label = gettext_lazy("Credit card or convenience store (Stripe)")

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except stripe.StripeError as exc:
            raise PaymentError(_("The payment service refused the request or could not be "
                                 "reached: %(detail)s") % {
                "detail": exc.user_message or exc.__class__.__name__}) from exc

    def start(self, request: HttpRequest, *, amount: int, reference: str, description: str,
              return_url: str) -> PaymentStart:
        expires = dt.datetime.now(dt.UTC) + SESSION_LIFETIME
        joiner = "&" if "?" in return_url else "?"
        session = self._call(client().v1.checkout.sessions.create, params={
            "mode": "payment",
            "payment_method_types": ["card", "konbini"],
            "payment_method_options": {"konbini": {"expires_after_days": KONBINI_DAYS}},
            "line_items": [{"quantity": 1, "price_data": {
                "currency": "jpy", "unit_amount": amount,
                "product_data": {"name": description[:250]}}}],
            "client_reference_id": reference,
            "metadata": {"reference": reference},
            "payment_intent_data": {"metadata": {"reference": reference}},
            "success_url": f"{return_url}{joiner}session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{return_url}{joiner}session_id={{CHECKOUT_SESSION_ID}}",
            "expires_at": int(expires.timestamp()),
            "locale": "ja",
        }, options={"idempotency_key": f"checkout-{reference}"})
        return PaymentStart(payment_id=session.id, redirect_url=session.url,
                            expires_at=expires)

    def status(self, payment_id: str) -> PaymentResult:
        session = self._call(client().v1.checkout.sessions.retrieve,
                             payment_id, params={
                                 "expand": ["payment_intent", "payment_intent.latest_charge"]})
        return session_result(session)

    def handle_return(self, request: HttpRequest) -> PaymentResult:
        session_id = request.GET.get("session_id", "")[:255]
        if not session_id.startswith("cs_"):
            raise PaymentSignatureError("no session id")
        return self.status(session_id)  # the browser's word is only a hint: ask Stripe

    def handle_webhook(self, request: HttpRequest) -> PaymentResult:
        try:
            event = stripe.Webhook.construct_event(
                request.body, request.headers.get("Stripe-Signature", ""),
                settings.STRIPE_WEBHOOK_SECRET)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise PaymentSignatureError(str(exc)) from exc
        obj = event.data.object
        if event.type in SESSION_EVENTS:
            # The signed event says which session; its current state comes from the API,
            # so an old event arriving late reports the present, not the past.
            return self.status(str(obj["id"]))
        if event.type in PAYMENT_EVENTS:
            intent = _get(obj, "payment_intent")
            sessions = self._call(client().v1.checkout.sessions.list,
                                  params={"payment_intent": str(intent), "limit": 1})
            if not sessions.data:
                raise PaymentError(_("The payment service does not know this payment."))
            return self.status(sessions.data[0].id)
        raise PaymentError(f"ignored event type {event.type}")

    def refund(self, payment_id: str, *, amount: int, reason: str) -> PaymentResult:
        current = self.status(payment_id)
        if current.status not in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
            raise PaymentError(_("This payment cannot be refunded."))
        if not 0 < amount <= current.amount - current.refunded:
            raise PaymentError(_("The refund is more than what is left."))
        session = self._call(client().v1.checkout.sessions.retrieve,
                             payment_id)
        key = hashlib.sha256(f"{payment_id}:{amount}:{reason}".encode()).hexdigest()
        self._call(client().v1.refunds.create, params={
            "payment_intent": str(session.payment_intent), "amount": amount,
            "metadata": {"reference": current.reference, "reason": reason[:400]},
        }, options={"idempotency_key": f"refund-{key}"})
        return self.status(payment_id)
