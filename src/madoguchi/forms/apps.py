from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "madoguchi.forms"
    label = "forms"

    def ready(self) -> None:
        # signals connects the receivers; these fields modules register their field types
        # (address, my_number, bank_account, group, file) in the shared registry of fields.base.
        # Types owned by other apps (reservation) register from those apps' ready().
        from . import signals  # noqa: F401
        from .fields import address, finance, group, upload  # noqa: F401
