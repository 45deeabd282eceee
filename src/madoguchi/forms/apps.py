from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "madoguchi.forms"
    label = "forms"

    def ready(self) -> None:
        # signals connects the receivers; fields_finance registers the my_number and
        # bank_account field types in the shared registry, so every definition (and
        # check_definition) knows them once the app is loaded.
        from . import fields_finance, signals  # noqa: F401
