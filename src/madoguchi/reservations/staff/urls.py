from django.urls import path

from . import bookings as staff_views

app_name = "reservations_staff"
urlpatterns = [
    path("", staff_views.roster, name="roster"),
    path("bookings/<uuid:public_id>/", staff_views.booking_detail, name="booking"),
    path("bookings/<uuid:public_id>/check-in/", staff_views.check_in, name="check_in"),
    path("bookings/<uuid:public_id>/move/", staff_views.move, name="move"),
    path("bookings/<uuid:public_id>/cancel/", staff_views.cancel, name="cancel"),
    path("slots/<int:slot_id>/book/", staff_views.book, name="book"),
    path("slots/<int:slot_id>/close/", staff_views.close_slot, name="close_slot"),
    path("close-day/", staff_views.close_day, name="close_day"),
    path("sessions/new/", staff_views.add_session, name="add_session"),
    path("export/", staff_views.export, name="export"),
    path("utilisation/", staff_views.utilisation, name="utilisation"),
]
