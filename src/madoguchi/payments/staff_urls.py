"""Staff pages of payments, mounted at ``staff/payments/``: fees paid online (the list, a
payment, refunds, reconciliation, a procedure's fee) and subsidies paid by transfer."""

from django.urls import path

from . import staff_views
from .transfers.urls import urlpatterns as transfer_urls

app_name = "payments_staff"

urlpatterns = [
    path("", staff_views.payment_list, name="list"),
    path("reconciliation/", staff_views.reconciliation, name="reconciliation"),
    path("p/<uuid:public_id>/", staff_views.payment_detail, name="detail"),
    path("p/<uuid:public_id>/refund/", staff_views.refund_request, name="refund_request"),
    path("refunds/<uuid:public_id>/decide/", staff_views.refund_decide, name="refund_decide"),
    path("cases/<uuid:public_id>/request/", staff_views.request_payment,
         name="payment_request"),
    path("cases/<uuid:public_id>/approve/", staff_views.approve_with_fee,
         name="approve_with_fee"),
    path("procedures/<slug:slug>/fee/", staff_views.procedure_fee, name="procedure_fee"),
    *transfer_urls,
]
