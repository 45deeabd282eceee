from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "madoguchi.forms"
    label = "forms"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers
