from django.urls import path

from . import views, waiting_room

app_name = "reservations"
urlpatterns = [
    path("reservations/", views.index, name="index"),
    path("reservations/waiting/<int:service_id>/", waiting_room.waiting_page,
         name="waiting_room"),
    path("reservations/manage/<uuid:public_id>/<str:token>/", views.manage, name="manage"),
    path("reservations/manage/<uuid:public_id>/<str:token>/done/", views.confirmation,
         name="confirmation"),
    path("reservations/manage/<uuid:public_id>/<str:token>/cancel/", views.manage_cancel,
         name="cancel"),
    path("reservations/manage/<uuid:public_id>/<str:token>/change/", views.manage_change,
         name="change"),
    path("reservations/manage/<uuid:public_id>/<str:token>/booking.ics", views.manage_ics,
         name="ics"),
    path("reservations/waitlist/<uuid:public_id>/<str:token>/", views.waitlist,
         name="waitlist"),
    path("reservations/<slug:code>/", views.service_calendar, name="calendar"),
    path("reservations/<slug:code>/<str:day>/", views.day_slots, name="day"),
    path("reservations/<slug:code>/slot/<int:slot_id>/", views.slot_book, name="book"),
    path("my/reservations/", views.my_reservations, name="my"),
]
