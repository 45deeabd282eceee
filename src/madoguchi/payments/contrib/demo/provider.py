"""The demo city's payment provider: a page with pay/fail buttons, no money moves.

It behaves like a real provider where it matters: its ledger (:class:`DemoCharge`) is the
provider's side; the resident's choice reaches the city only as an HMAC-signed notification
(timestamped, checked like any webhook) or through :meth:`status`; the browser's return
carries a signature too and only leads to a status query.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.payments.models import DemoCharge
from madoguchi.payments.plugins import (
    PaymentError,
    PaymentProvider,
    PaymentResult,
    PaymentSignatureError,
    PaymentStart,
    PaymentStatus,
)

SIGNATURE_HEADER = "X-Demo-Signature"
TOLERANCE = 300  # seconds a notification stays believable


def _secret() -> bytes:
    return hashlib.sha256(b"madoguchi-demo-payments:" + settings.SECRET_KEY.encode()).digest()


def sign(body: bytes, timestamp: int | None = None) -> str:
    """The signature header for ``body``: ``t=<unix time>,v1=<hex HMAC-SHA256 of t.body>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(body: bytes, header: str, *, now: float | None = None) -> None:
    """Raise :class:`PaymentSignatureError` unless ``header`` signs ``body`` recently."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise PaymentSignatureError("unsigned notification") from None
    expected = sign(body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise PaymentSignatureError("bad signature")
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE:
        raise PaymentSignatureError("stale notification")


def _result(charge: DemoCharge) -> PaymentResult:
    status = PaymentStatus(charge.status)
    if charge.refunded:
        status = (PaymentStatus.REFUNDED if charge.refunded >= charge.amount
                  else PaymentStatus.PARTIALLY_REFUNDED)
    return PaymentResult(payment_id=charge.charge_id, reference=charge.reference, status=status,
                         amount=charge.amount, refunded=charge.refunded, paid_at=charge.paid_at,
                         method="demo")


def notification(charge: DemoCharge) -> bytes:
    """The notification body the demo provider sends about ``charge`` now."""
    return json.dumps({"id": f"evt_{secrets.token_hex(8)}", "charge": charge.charge_id,
                       "status": charge.status, "created": int(time.time())}).encode()


class DemoProvider(PaymentProvider):
    """デモ用の支払い: the resident chooses "pay" or "fail" on a page that says it is a demo."""

    id = "demo"
    label = _("Demo payment (no money is charged)")
    demo = True

    def start(self, request: HttpRequest, *, amount: int, reference: str, description: str,
              return_url: str) -> PaymentStart:
        if amount <= 0:
            raise PaymentError(str(_("The amount must be more than 0 yen.")))
        charge, _created = DemoCharge.objects.get_or_create(reference=reference, defaults={
            "charge_id": f"demo_{secrets.token_hex(10)}", "amount": amount,
            "description": description[:300], "return_url": return_url})
        return PaymentStart(payment_id=charge.charge_id,
                            redirect_url=reverse("payments:demo_checkout",
                                                 args=[charge.charge_id]))

    def handle_return(self, request: HttpRequest) -> PaymentResult:
        charge_id = request.GET.get("charge", "")[:40]
        mac = hmac.new(_secret(), b"return:" + charge_id.encode(), hashlib.sha256).hexdigest()
        if not charge_id or not hmac.compare_digest(mac, request.GET.get("sig", "")):
            raise PaymentSignatureError("bad return signature")
        return self.status(charge_id)

    def return_query(self, charge: DemoCharge) -> str:
        mac = hmac.new(_secret(), b"return:" + charge.charge_id.encode(),
                       hashlib.sha256).hexdigest()
        return f"charge={charge.charge_id}&sig={mac}"

    def handle_webhook(self, request: HttpRequest) -> PaymentResult:
        verify(request.body, request.headers.get(SIGNATURE_HEADER, ""))
        try:
            event: dict[str, Any] = json.loads(request.body)
            charge_id = str(event["charge"])
        except (ValueError, KeyError, TypeError):
            raise PaymentSignatureError("malformed notification") from None
        # Signed, so believed; the ledger gives the full current state (amount, refunds).
        return self.status(charge_id)

    def refund(self, payment_id: str, *, amount: int, reason: str) -> PaymentResult:
        with transaction.atomic():
            charge = DemoCharge.objects.select_for_update().filter(charge_id=payment_id).first()
            if charge is None or charge.status != PaymentStatus.PAID:
                raise PaymentError(str(_("This payment cannot be refunded.")))
            if not 0 < amount <= charge.amount - charge.refunded:
                raise PaymentError(str(_("The refund is more than what is left.")))
            charge.refunded += amount
            charge.save(update_fields=["refunded"])
        return _result(charge)

    def status(self, payment_id: str) -> PaymentResult:
        charge = DemoCharge.objects.filter(charge_id=payment_id).first()
        if charge is None:
            raise PaymentError(str(_("The payment provider does not know this payment.")))
        return _result(charge)

    def decide(self, charge_id: str, *, pay: bool) -> DemoCharge | None:
        """The resident pressed pay or fail on the demo page: the provider's side changes."""
        with transaction.atomic():
            charge = DemoCharge.objects.select_for_update().filter(charge_id=charge_id).first()
            if charge is None:
                return None
            if charge.status == PaymentStatus.PENDING:
                charge.status = PaymentStatus.PAID if pay else PaymentStatus.FAILED
                charge.paid_at = timezone.now() if pay else None
                charge.save(update_fields=["status", "paid_at"])
            elif charge.status == PaymentStatus.FAILED and pay:
                charge.status, charge.paid_at = PaymentStatus.PAID, timezone.now()
                charge.save(update_fields=["status", "paid_at"])
        return charge
