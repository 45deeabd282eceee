"""Resident pages of fees paid online, the providers' notifications and the demo checkout.

The browser's return from a provider never marks a payment paid by itself: the provider's
answer is verified (a signature, then a server-side status query) before it is recorded.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.test import RequestFactory
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.core import audit
from madoguchi.residents.permissions import resident_required

from . import receipts, selectors, services, state
from .contrib.demo import provider as demo
from .models import DemoCharge
from .plugins import PaymentError, PaymentSignatureError, payment_providers

logger = logging.getLogger(__name__)


def refusal_message(code: str) -> str:
    """What the resident or staff member is told when a payment step is refused."""
    return {
        "paid": _("This fee has already been paid."),
        "provider": _("Online payment is not available for this procedure. Please contact "
                      "the city office."),
        "provider_error": _("The payment service could not be reached. Please try again "
                            "later."),
        "no_fee": _("This procedure has no fee to pay online."),
        "copies": _("Choose a number of copies within the limit."),
        "exemption": _("Choose an exemption from the list."),
        "free": _("Nothing is to be paid: the exemption covers the whole fee."),
        "open": _("A payment for this application is already open or paid."),
        "reason": _("Write the reason for the refund."),
        "not_paid": _("Only a paid fee can be refunded."),
        "amount": _("The refund must be more than 0 yen and not more than what is left."),
        "decided": _("This refund request has already been decided."),
        "own": _("Another approver must decide on your own refund request."),
        "status": _("This case cannot be approved now."),
    }.get(code, _("The payment cannot be made."))


@resident_required
def mine(request: HttpRequest) -> HttpResponse:
    """お支払い: fees the resident is asked to pay, and the ones paid."""
    payments = list(selectors.for_resident(request.user)[:100])
    return render(request, "payments/mine.html", {
        "due": [p for p in payments if p.status == "pending"],
        "payments": [p for p in payments if p.status != "pending"]})


@resident_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The amount due and a pay button (POST: off to the provider)."""
    payment = selectors.get_for_resident(request.user, public_id)
    error = ""
    if request.method == "POST":
        if payment.status in (state.FAILED, state.EXPIRED, state.CANCELLED):
            try:
                payment = services.retry(payment)
            except services.PaymentRefused:
                return redirect("payments:pay", public_id=payment.public_id)
        return_url = request.build_absolute_uri(
            reverse("payments:return", args=[payment.public_id]))
        try:
            url = services.start(request, payment, return_url=return_url)
        except services.PaymentRefused as exc:
            error = refusal_message(exc.code)
        else:
            return redirect(url)
    payment.refresh_from_db()
    provider = payment_providers.get(payment.provider)
    return render(request, "payments/pay.html", {
        "payment": payment, "provider": provider, "error": error,
        "settled": payment.status in state.SETTLED}, status=422 if error else 200)


@resident_required
def returned(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Back from the provider: ask it (verified), record what it says, show the payment."""
    payment = selectors.get_for_resident(request.user, public_id)
    provider = payment_providers[payment.provider]
    try:
        result = provider.handle_return(request)
    except PaymentSignatureError:
        messages.error(request, _("We could not confirm the payment from this page. If you "
                                  "paid, it will show here within a few minutes."))
        return redirect("payments:pay", public_id=payment.public_id)
    except PaymentError as exc:
        messages.error(request, exc.message)
        return redirect("payments:pay", public_id=payment.public_id)
    if result.payment_id == payment.provider_payment_id:
        services.apply_result(provider.id, result, source="return")
    return redirect("payments:pay", public_id=payment.public_id)


@resident_required
def receipt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """領収書 (PDF) of a paid fee."""
    payment = selectors.get_for_resident(request.user, public_id)
    if payment.status not in state.SETTLED:
        raise Http404
    try:
        data = receipts.render_receipt(payment)
    except receipts.ReceiptRefused:
        logger.exception("receipt %s cannot be printed", payment.reference)
        messages.error(request, _("The receipt cannot be printed now. Please contact the city "
                                  "office."))
        return redirect("payments:pay", public_id=payment.public_id)
    audit.record(request, "payments.receipt.download", target_type="payment",
                 target_id=payment.reference)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"receipt-{payment.reference}.pdf")
    return response


def receive(provider_id: str, request: HttpRequest) -> HttpResponse:
    """A provider's notification: verified by the provider plugin, then recorded once."""
    if provider_id not in payment_providers:
        raise Http404
    provider = payment_providers[provider_id]
    try:
        result = provider.handle_webhook(request)
    except PaymentSignatureError:
        return HttpResponseBadRequest("bad signature")
    except PaymentError as exc:
        logger.info("payment notification from %s ignored: %s", provider_id, exc.message)
        return HttpResponse("ignored")
    applied = services.apply_result(provider_id, result, source="webhook")
    return HttpResponse("ok" if applied.payment else "unknown payment")


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider_id: str) -> HttpResponse:
    return receive(provider_id, request)


@require_http_methods(["GET", "POST"])
def demo_checkout(request: HttpRequest, charge_id: str) -> HttpResponse:
    """The demo provider's page: pay or fail, then a signed notification to ourselves."""
    provider = payment_providers["demo"]
    if not isinstance(provider, demo.DemoProvider) or not services.demo_enabled():
        raise Http404
    charge = DemoCharge.objects.filter(charge_id=charge_id[:40]).first()
    if charge is None:
        raise Http404
    if request.method == "POST":
        choice = request.POST.get("choice")
        if choice not in ("pay", "fail"):
            return HttpResponseBadRequest("choose pay or fail")
        charge = provider.decide(charge.charge_id, pay=choice == "pay")
        body = demo.notification(charge)
        notice = RequestFactory().post(
            reverse("payments:webhook", args=["demo"]), data=body,
            content_type="application/json",
            headers={demo.SIGNATURE_HEADER: demo.sign(body)})
        receive("demo", notice)  # the same path as a notification over the network
        joiner = "&" if "?" in charge.return_url else "?"
        return redirect(f"{charge.return_url}{joiner}{provider.return_query(charge)}")
    return render(request, "payments/demo_checkout.html", {"charge": charge})
