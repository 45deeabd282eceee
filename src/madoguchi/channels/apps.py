from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "madoguchi.channels"
    label = "channels"
    verbose_name = "notification channels"

    def ready(self) -> None:
        from . import email, line  # noqa: F401 - registers the e-mail and LINE channels
