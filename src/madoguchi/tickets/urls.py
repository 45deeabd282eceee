"""Public ticket pages (kiosk, online tickets, a ticket's page, the calling display)."""

from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("tickets/", views.index, name="index"),
    path("tickets/take/<slug:code>/", views.take, name="take"),
    path("tickets/kiosk/", views.kiosk, name="kiosk"),
    path("tickets/kiosk/<slug:code>/", views.kiosk_issue, name="kiosk_issue"),
    path("tickets/t/<str:token>/", views.ticket_page, name="ticket"),
    path("tickets/display/", views.display_page, name="display"),
    path("tickets/display/board/", views.display_board, name="display_board"),
    path("tickets/display.json", views.display_json, name="display_json"),
]
