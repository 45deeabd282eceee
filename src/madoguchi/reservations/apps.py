from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "madoguchi.reservations"
    label = "reservations"

    def ready(self) -> None:
        from . import form_field  # noqa: F401 - registers the "reservation" field type
