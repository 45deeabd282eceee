from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "madoguchi.channels"
    label = "channels"
    verbose_name = "notification channels"

    def ready(self) -> None:
        # Channels register on import; the LINE one uses models, loaded once the registry is ready.
        from . import email, line_channel  # noqa: F401
