from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "madoguchi.channels"
    label = "channels"
    verbose_name = "notification channels"

    def ready(self) -> None:
        # The channels register themselves; the LINE one uses models, loaded once the app
        # registry is ready.
        from . import email, line_channel  # noqa: F401
