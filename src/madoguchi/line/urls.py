"""The LINE webhook, account linking and the resident's notification settings.

Mounted by the root URLconf in the ``channels`` namespace, the one these pages had before they
left the channels app.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("line/webhook/", views.line_webhook, name="line_webhook"),
    path("line/link/", views.line_link, name="line_link"),
    path("my/notifications/", views.preferences, name="preferences"),
    path("my/notifications/line/unlink/", views.line_unlink, name="line_unlink"),
]
