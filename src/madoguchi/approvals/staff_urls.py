"""Staff pages of approvals. Mounted under ``staff/`` in the shared ``staff`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("delegations/", views.delegations, name="delegations"),
]
