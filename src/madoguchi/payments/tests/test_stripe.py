"""The Stripe provider through the official SDK against a local fake of Stripe's API, with
webhooks signed the documented way and verified by ``stripe.Webhook.construct_event``."""

from __future__ import annotations

import time

import pytest
from django.test import Client, RequestFactory

from madoguchi.payments import services
from madoguchi.payments.contrib.stripe.provider import StripeProvider
from madoguchi.payments.plugins import PaymentError, PaymentSignatureError, PaymentStatus

from .fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, signed_event

RETURN = "http://testserver/my/payments/x/return/"


@pytest.fixture
def fake(settings):
    with FakeStripe() as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        yield server


@pytest.fixture
def stripe_schedule(schedule):
    schedule.provider = "stripe"
    schedule.save()
    return schedule


def start(application):
    payment = services.create_payment(application, copies=2)
    url = services.start(RequestFactory().get("/"), payment, return_url=RETURN)
    payment.refresh_from_db()
    return payment, url


def post_event(fake, type_, obj, **kwargs):
    payload, header = signed_event(fake.event(type_, obj), **kwargs)
    return Client().post("/payments/notify/stripe/", data=payload,
                         content_type="application/json",
                         headers={"Stripe-Signature": header})


def test_start_opens_a_checkout_session_with_cards_and_konbini(fake, application,
                                                               stripe_schedule):
    payment, url = start(application)
    session = fake.sessions[payment.provider_payment_id]
    assert url == session["url"] and url.startswith("https://checkout.stripe.com/")
    assert session["amount_total"] == 710 and session["currency"] == "jpy"
    assert session["payment_method_types"] == ["card", "konbini"]
    assert session["client_reference_id"] == payment.reference
    assert session["success_url"].endswith("?session_id={CHECKOUT_SESSION_ID}")
    # The same attempt again: the idempotency key returns the same session, no second one.
    again = StripeProvider().start(RequestFactory().get("/"), amount=710,
                                   reference=payment.reference, description="x",
                                   return_url=RETURN)
    assert again.payment_id == payment.provider_payment_id and len(fake.sessions) == 1


def test_a_card_payment_is_confirmed_by_the_signed_webhook_once(fake, application,
                                                                stripe_schedule):
    payment, _url = start(application)
    session = fake.pay(payment.provider_payment_id)
    for _ in range(3):  # Stripe retries; replays are answered and change nothing
        assert post_event(fake, "checkout.session.completed", session).status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.method) == ("paid", "card")
    assert payment.events.count() == 1


def test_a_bad_signature_wrong_secret_or_old_timestamp_is_refused(fake, application,
                                                                  stripe_schedule):
    payment, _url = start(application)
    session = fake.pay(payment.provider_payment_id)
    assert post_event(fake, "checkout.session.completed", session,
                      secret="whsec_someone_else").status_code == 400
    assert post_event(fake, "checkout.session.completed", session,
                      timestamp=int(time.time()) - 3600).status_code == 400
    payload, header = signed_event(fake.event("checkout.session.completed", session))
    response = Client().post("/payments/notify/stripe/", data=payload + b" ",
                             content_type="application/json",
                             headers={"Stripe-Signature": header})
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_konbini_is_paid_later_and_old_events_arriving_late_change_nothing(
        fake, application, stripe_schedule):
    payment, _url = start(application)
    voucher = fake.konbini_voucher(payment.provider_payment_id)
    completed_unpaid = fake.event("checkout.session.completed", voucher)
    post = Client().post
    payload, header = signed_event(completed_unpaid)
    post("/payments/notify/stripe/", data=payload, content_type="application/json",
         headers={"Stripe-Signature": header})
    payment.refresh_from_db()
    assert payment.status == "pending"  # a voucher is not a payment
    paid = fake.pay(payment.provider_payment_id, method="konbini")
    assert post_event(fake, "checkout.session.async_payment_succeeded", paid).status_code == 200
    # The earlier "completed, unpaid" event is delivered again, late.
    post("/payments/notify/stripe/", data=payload, content_type="application/json",
         headers={"Stripe-Signature": header})
    payment.refresh_from_db()
    assert (payment.status, payment.method) == ("paid", "konbini")
    assert payment.events.count() == 1


def test_the_return_asks_stripe_and_a_crash_is_completed_by_the_status_query(
        fake, application, stripe_schedule):
    payment, _url = start(application)
    provider = StripeProvider()
    request = RequestFactory().get(RETURN, {"session_id": payment.provider_payment_id})
    assert provider.handle_return(request).status == PaymentStatus.PENDING
    fake.pay(payment.provider_payment_id)  # paid at Stripe; our webhook never arrived
    import datetime as dt

    assert services.sync_pending(older_than=dt.timedelta(0)) == 1
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.events.get().source == "status"
    with pytest.raises(PaymentSignatureError):
        provider.handle_return(RequestFactory().get(RETURN, {"session_id": "forged"}))


def test_an_expired_session(fake, application, stripe_schedule):
    payment, _url = start(application)
    expired = fake.expire(payment.provider_payment_id)
    post_event(fake, "checkout.session.expired", expired)
    payment.refresh_from_db()
    assert payment.status == "expired"


def test_refunds_through_the_api(fake, application, stripe_schedule):
    payment, _url = start(application)
    post_event(fake, "checkout.session.completed", fake.pay(payment.provider_payment_id))
    provider = StripeProvider()
    result = provider.refund(payment.provider_payment_id, amount=300, reason="r1")
    assert (result.status, result.refunded) == (PaymentStatus.PARTIALLY_REFUNDED, 300)
    # Repeating the same refund does not pay out twice (idempotency key).
    provider.refund(payment.provider_payment_id, amount=300, reason="r1")
    assert len(fake.refunds) == 1
    with pytest.raises(PaymentError):
        provider.refund(payment.provider_payment_id, amount=500, reason="too much")
    charge = next(iter(fake.charges.values()))
    assert post_event(fake, "charge.refunded", charge).status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.refunded) == ("partially_refunded", 300)


def test_stripe_down_is_a_clear_refusal(settings, application, stripe_schedule):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    payment = services.create_payment(application, copies=1)
    with pytest.raises(services.PaymentRefused, match="provider_error"):
        services.start(RequestFactory().get("/"), payment, return_url=RETURN)
