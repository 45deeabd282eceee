"""Payments with the demo provider: amounts from the city's records, notifications replayed,
out of order, mis-signed or before the browser returns (one payment, one status change), the
crash between the provider's confirmation and our commit, refunds with approval."""

from __future__ import annotations

import datetime as dt
import json
import time
from unittest import mock

import pytest
from django.db import transaction
from django.test import Client, RequestFactory

from madoguchi.conftest import client_for
from madoguchi.payments import services
from madoguchi.payments.contrib.demo import provider as demo
from madoguchi.payments.models import DemoCharge, PaymentEvent, RefundRequest
from madoguchi.payments.plugins import payment_providers
from madoguchi.staff.tests.helpers import member

RETURN = "http://testserver/return/"


def started(application, copies=2, exemption=""):
    payment = services.create_payment(application, copies=copies, exemption=exemption)
    services.start(RequestFactory().get("/"), payment, return_url=RETURN)
    payment.refresh_from_db()
    return payment


def notify(charge_id: str, *, signature: str | None = None, timestamp: int | None = None):
    charge = DemoCharge.objects.get(charge_id=charge_id)
    body = demo.notification(charge)
    header = signature if signature is not None else demo.sign(body, timestamp)
    return Client().post("/payments/notify/demo/", data=body, content_type="application/json",
                         headers={demo.SIGNATURE_HEADER: header})


def provider_decides(payment, pay=True):
    payment_providers["demo"].decide(payment.provider_payment_id, pay=pay)


def test_the_amount_comes_from_the_citys_records(application, schedule):
    payment = services.create_payment(application, copies=2)
    assert (payment.amount, payment.per_copy, payment.postage) == (710, 300, 110)
    with pytest.raises(services.PaymentRefused, match="open"):
        services.create_payment(application, copies=1)
    payment.delete()
    exempt = services.create_payment(application, copies=2, exemption="seikatsu-hogo")
    assert (exempt.amount, exempt.exempted) == (110, 600)
    exempt.delete()
    with pytest.raises(services.PaymentRefused, match="copies"):
        services.create_payment(application, copies=11)
    with pytest.raises(services.PaymentRefused, match="exemption"):
        services.create_payment(application, copies=1, exemption="made-up")


def test_a_notification_replayed_and_duplicated_changes_the_status_once(application, schedule):
    payment = started(application)
    provider_decides(payment)
    for _ in range(3):
        assert notify(payment.provider_payment_id).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.amount == 710
    assert list(payment.events.values_list("from_status", "to_status")) == [("pending", "paid")]


def test_a_bad_or_stale_signature_is_refused_and_changes_nothing(application, schedule):
    payment = started(application)
    provider_decides(payment)
    assert notify(payment.provider_payment_id, signature="t=1,v1=00").status_code == 400
    assert notify(payment.provider_payment_id, signature="").status_code == 400
    stale = int(time.time()) - demo.TOLERANCE - 60
    assert notify(payment.provider_payment_id, timestamp=stale).status_code == 400
    body = demo.notification(DemoCharge.objects.get(charge_id=payment.provider_payment_id))
    tampered = body.replace(b'"status": "paid"', b'"status": "paid" ')
    response = Client().post("/payments/notify/demo/", data=tampered,
                             content_type="application/json",
                             headers={demo.SIGNATURE_HEADER: demo.sign(body)})
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending" and not payment.events.exists()


def test_out_of_order_a_late_failure_does_not_undo_the_payment(application, schedule):
    payment = started(application)
    provider_decides(payment, pay=False)
    failed_body = demo.notification(DemoCharge.objects.get(charge_id=payment.provider_payment_id))
    provider_decides(payment, pay=True)
    assert notify(payment.provider_payment_id).status_code == 200
    # The older "failed" notification arrives last; the provider's ledger says paid now, and a
    # report of "failed" itself could not undo "paid" either.
    Client().post("/payments/notify/demo/", data=failed_body, content_type="application/json",
                  headers={demo.SIGNATURE_HEADER: demo.sign(failed_body)})
    stale_failure = services.apply_result("demo", mock.Mock(
        reference=payment.reference, payment_id=payment.provider_payment_id, status="failed",
        amount=710, refunded=0, paid_at=None, method=""), source="webhook")
    assert not stale_failure.changed
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.events.count() == 1


def test_the_notification_arrives_before_the_browser_returns(application, schedule,
                                                             resident):
    payment = started(application)
    client = client_for(resident)
    # The resident presses "pay" on the demo page: the provider notifies us at once, then the
    # browser comes back (a signed return that only leads to a status query).
    response = client.post(f"/payments/demo/{payment.provider_payment_id}/",
                           {"choice": "pay"})
    assert response.status_code == 302 and response["Location"].startswith(RETURN)
    payment.refresh_from_db()
    assert payment.status == "paid"
    ret = client.get(f"/my/payments/{payment.public_id}/return/?"
                     + response["Location"].split("?", 1)[1])
    assert ret.status_code == 302
    assert payment.events.count() == 1


def test_the_browsers_return_alone_does_not_mark_a_payment_paid(application, schedule,
                                                                resident):
    payment = started(application)
    client = client_for(resident)
    forged = f"charge={payment.provider_payment_id}&sig=forged&status=paid"
    client.get(f"/my/payments/{payment.public_id}/return/?{forged}")
    query = payment_providers["demo"].return_query(
        DemoCharge.objects.get(charge_id=payment.provider_payment_id))
    client.get(f"/my/payments/{payment.public_id}/return/?{query}")  # signed, but not paid
    payment.refresh_from_db()
    assert payment.status == "pending" and not payment.events.exists()


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_the_providers_confirmation_loses_nothing(demo, make_application,
                                                                 procedure):
    from madoguchi.payments.models import Charged, FeeSchedule

    FeeSchedule.objects.create(procedure=procedure, per_copy=300, postage=110,
                               charged=Charged.BEFORE_SENDING, provider="demo")
    payment = started(make_application())
    provider_decides(payment)  # the provider has the money
    crash = mock.patch.object(PaymentEvent.objects, "create", side_effect=RuntimeError("crash"))
    with crash, pytest.raises(RuntimeError):
        notify(payment.provider_payment_id)
    payment.refresh_from_db()
    assert payment.status == "pending"  # our commit was rolled back
    assert services.sync_pending(older_than=dt.timedelta(0)) == 1
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert list(payment.events.values_list("source", flat=True)) == ["status"]
    assert services.sync_pending(older_than=dt.timedelta(0)) == 0


def test_a_failed_payment_can_be_tried_again_under_a_new_reference(application, schedule):
    payment = started(application)
    provider_decides(payment, pay=False)
    notify(payment.provider_payment_id)
    payment.refresh_from_db()
    assert payment.status == "failed"
    again = services.retry(payment)
    assert again.pk != payment.pk and again.reference != payment.reference
    assert again.amount == payment.amount
    assert services.retry(payment).pk == again.pk  # one open attempt at a time


def test_a_refund_needs_another_approver(application, schedule):
    payment = started(application)
    provider_decides(payment)
    notify(payment.provider_payment_id)
    clerk, approver = member("clerk", "kosodate"), member("approver", "kosodate")
    with pytest.raises(services.PaymentRefused, match="amount"):
        services.request_refund(payment, amount=711, reason="二重申請", user=clerk)
    refund = services.request_refund(payment, amount=300, reason="1通取消し", user=clerk)
    with pytest.raises(services.PaymentRefused, match="own"):
        services.decide_refund(refund, approve=True, user=clerk)
    assert DemoCharge.objects.get(charge_id=payment.provider_payment_id).refunded == 0
    refund = services.decide_refund(refund, approve=True, user=approver)
    assert refund.state == RefundRequest.State.DONE
    payment.refresh_from_db()
    assert (payment.status, payment.refunded) == ("partially_refunded", 300)
    with pytest.raises(services.PaymentRefused, match="decided"):
        services.decide_refund(refund, approve=True, user=approver)
    rest = services.request_refund(payment, amount=410, reason="残額", user=clerk)
    services.decide_refund(rest, approve=True, user=approver)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded) == ("refunded", 710)


def test_the_demo_provider_is_off_outside_the_demo(application, schedule, settings):
    settings.DEMO = False
    settings.TESTING = False
    with pytest.raises(services.PaymentRefused, match="provider"):
        services.create_payment(application, copies=1)


def test_an_amount_other_than_asked_is_not_believed(application, schedule):
    payment = started(application)
    with transaction.atomic():
        DemoCharge.objects.filter(charge_id=payment.provider_payment_id).update(
            amount=1, status="paid")
    notify(payment.provider_payment_id)
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_the_notification_body_is_what_is_signed():
    body = json.dumps({"charge": "x"}).encode()
    demo.verify(body, demo.sign(body))
    with pytest.raises(demo.PaymentSignatureError):
        demo.verify(body + b" ", demo.sign(body))


def test_payments_register_their_clock():
    from madoguchi.core.clocks import clocks
    from madoguchi.payments import tasks

    assert clocks["payments"] is tasks.start_clock
