from django.apps import AppConfig
from django.db.models.signals import post_save


class StaffConfig(AppConfig):
    name = "madoguchi.staff"
    label = "staff"

    def ready(self) -> None:
        from .demo import on_staff_member_saved
        from .models import StaffMember

        post_save.connect(on_staff_member_saved, sender=StaffMember,
                          dispatch_uid="staff.demo_authenticator")
