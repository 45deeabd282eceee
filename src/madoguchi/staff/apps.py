from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "madoguchi.staff"
    label = "staff"

    def ready(self) -> None:
        from madoguchi.core.sealed_fields import SealedField, sealed_fields

        from .models import totp_context

        sealed_fields.register("staff.StaffTOTP.sealed_secret", SealedField(
            "staff.StaffTOTP", "sealed_secret", lambda o: totp_context(o.user_id)))
