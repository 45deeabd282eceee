"""Demo routes, mounted under ``demo/`` only when the demo app is installed."""

from django.urls import path

from . import views

urlpatterns = [
    path("mail/", views.demo_mailbox, name="demo_mailbox"),
]
