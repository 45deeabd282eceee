"""The payment provider contract: registry rules and the abstract methods a provider needs."""

from __future__ import annotations

import hmac

import pytest
from django.test import RequestFactory

from madoguchi.core.plugins import DuplicatePlugin, PluginError
from madoguchi.payments.plugins import (
    PaymentProvider,
    PaymentResult,
    PaymentSignatureError,
    PaymentStart,
    PaymentStatus,
    payment_providers,
)

SECRET = b"test-secret"


class Toy(PaymentProvider):
    """A toy provider for this test: every payment succeeds, webhooks carry an HMAC."""

    id = "toy"
    label = "Toy pay"

    def __init__(self) -> None:
        self.payments: dict[str, PaymentResult] = {}

    def start(self, request, *, amount, reference, description, return_url):
        payment_id = f"p-{reference}"
        self.payments.setdefault(payment_id, PaymentResult(payment_id, reference,
                                                           PaymentStatus.PAID, amount))
        return PaymentStart(payment_id=payment_id, redirect_url=return_url)

    def handle_return(self, request):
        return self.status(request.GET["id"])

    def handle_webhook(self, request):
        expected = hmac.new(SECRET, request.body, "sha256").hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
            raise PaymentSignatureError("bad signature")
        return self.status(request.body.decode())

    def refund(self, payment_id, *, amount, reason):
        paid = self.payments[payment_id]
        self.payments[payment_id] = PaymentResult(payment_id, paid.reference,
                                                  PaymentStatus.REFUNDED, paid.amount, amount)
        return self.payments[payment_id]

    def status(self, payment_id):
        return self.payments[payment_id]


def test_abstract_methods_are_enforced():
    class Incomplete(PaymentProvider):
        id = "incomplete"

        def start(self, request, *, amount, reference, description, return_url):
            raise AssertionError

    with pytest.raises(TypeError, match="refund"):
        Incomplete()


def test_the_registry_refuses_other_objects_mismatched_ids_and_duplicates():
    with pytest.raises(PluginError):
        payment_providers.register("toy", object())
    with pytest.raises(PluginError, match="has the id 'toy'"):
        payment_providers.register("other", Toy())
    with payment_providers.temporary("toy", Toy()), pytest.raises(DuplicatePlugin):
        payment_providers.register("toy", Toy())
    assert "toy" not in payment_providers


def test_a_registered_provider_through_the_contract():
    factory = RequestFactory()
    with payment_providers.temporary("toy", Toy()) as toy:
        # The installed providers (demo, stripe) and the toy.
        assert ("toy", "Toy pay") in payment_providers.get_choices()
        assert {"demo", "stripe", "toy"} <= set(payment_providers.ids())
        started = toy.start(factory.get("/"), amount=300, reference="R-1", description="住民票",
                            return_url="https://example.test/back")
        assert toy.start(factory.get("/"), amount=300, reference="R-1", description="住民票",
                         return_url="https://example.test/back") == started  # idempotent
        body = started.payment_id.encode()
        signed = factory.post("/hook", body, content_type="text/plain",
                              HTTP_X_SIGNATURE=hmac.new(SECRET, body, "sha256").hexdigest())
        assert toy.handle_webhook(signed).status == PaymentStatus.PAID
        forged = factory.post("/hook", body, content_type="text/plain", HTTP_X_SIGNATURE="0")
        with pytest.raises(PaymentSignatureError):
            toy.handle_webhook(forged)
        assert toy.refund(started.payment_id, amount=300, reason="取下げ").refunded == 300
