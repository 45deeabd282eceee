"""Staff pages of subsidies paid by transfer, mounted at ``staff/payments/``."""

from django.urls import path

from . import views

# Included by madoguchi.payments.staff_urls (namespace payments_staff).

urlpatterns = [
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/export/", views.export, name="transfer_export"),
    path("transfers/<uuid:public_id>/", views.batch, name="batch"),
    path("transfers/<uuid:public_id>/<slug:kind>/", views.download, name="download"),
    path("cases/<uuid:public_id>/amount/", views.confirm_amount, name="payout_confirm"),
]
