from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "madoguchi.staff"
    label = "staff"
