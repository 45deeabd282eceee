"""Resident pages of fees paid online, the providers' notifications and the demo provider."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("my/payments/", views.mine, name="mine"),
    path("my/payments/<uuid:public_id>/", views.pay, name="pay"),
    path("my/payments/<uuid:public_id>/return/", views.returned, name="return"),
    path("my/payments/<uuid:public_id>/receipt.pdf", views.receipt, name="receipt"),
    path("payments/notify/<slug:provider_id>/", views.webhook, name="webhook"),
    path("payments/demo/<str:charge_id>/", views.demo_checkout, name="demo_checkout"),
]
