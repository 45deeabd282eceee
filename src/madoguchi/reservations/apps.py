from django.apps import AppConfig

from madoguchi.core.clocks import clocks


class ReservationsConfig(AppConfig):
    name = "madoguchi.reservations"
    label = "reservations"

    def ready(self) -> None:
        # Models and the modules that use them load once the app registry is ready.
        from . import form_field  # noqa: F401 - registers the "reservation" field type
        from .tasks import start_clock

        # Reminders and waitlist offer expiry, every five minutes; serve starts it.
        clocks.register("reservations", start_clock)
