from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "madoguchi.forms"
    label = "forms"

    def ready(self) -> None:
        # signals connects the receivers; the fields_* modules register their field types
        # (address, my_number, bank_account, file, group) in the shared registry of fields.py.
        # Types owned by other apps (reservation) register from those apps' ready().
        from . import (  # noqa: F401
            fields_address,
            fields_finance,
            fields_group,
            fields_upload,
            signals,
        )
