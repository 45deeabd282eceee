from django.apps import AppConfig
from django.db.models.signals import post_save


class DemoConfig(AppConfig):
    name = "madoguchi.demo"
    label = "demo"

    def ready(self) -> None:
        # The models, and the handler that uses them, load once the app registry is ready.
        from madoguchi.staff.models import StaffMember

        from .staff import on_staff_member_saved

        post_save.connect(on_staff_member_saved, sender=StaffMember,
                          dispatch_uid="demo.staff_authenticator")
