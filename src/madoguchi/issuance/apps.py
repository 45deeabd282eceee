from django.apps import AppConfig


class IssuanceConfig(AppConfig):
    name = "madoguchi.issuance"
    label = "issuance"
