from django.urls import path  # noqa: F401

app_name = "reservations_staff"
urlpatterns: list = []
