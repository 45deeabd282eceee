from django.apps import AppConfig

from madoguchi.core.sealed_fields import SealedField, sealed_fields


class StaffConfig(AppConfig):
    name = "madoguchi.staff"
    label = "staff"

    def ready(self) -> None:
        # A row's context is its own: StaffTOTP.context binds the secret to its user.
        sealed_fields.register("staff.StaffTOTP.sealed_secret", SealedField(
            "staff.StaffTOTP", "sealed_secret", lambda o: o.context))
