from django.urls import path

from . import bookings, reports, slots

app_name = "reservations_staff"
urlpatterns = [
    path("", bookings.roster, name="roster"),
    path("bookings/<uuid:public_id>/", bookings.booking_detail, name="booking"),
    path("bookings/<uuid:public_id>/check-in/", bookings.check_in, name="check_in"),
    path("bookings/<uuid:public_id>/move/", bookings.move, name="move"),
    path("bookings/<uuid:public_id>/cancel/", bookings.cancel, name="cancel"),
    path("slots/<int:slot_id>/book/", bookings.book, name="book"),
    path("slots/<int:slot_id>/close/", slots.close_slot, name="close_slot"),
    path("close-day/", slots.close_day, name="close_day"),
    path("sessions/new/", slots.add_session, name="add_session"),
    path("export/", reports.export, name="export"),
    path("utilisation/", reports.utilisation, name="utilisation"),
]
