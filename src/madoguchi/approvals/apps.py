from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "madoguchi.approvals"
    label = "approvals"
