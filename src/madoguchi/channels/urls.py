from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("line/webhook/", views.line_webhook, name="line_webhook"),
    path("line/link/", views.line_link, name="line_link"),
    path("my/notifications/", views.preferences, name="preferences"),
    path("my/notifications/line/unlink/", views.line_unlink, name="line_unlink"),
]
