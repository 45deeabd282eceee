from django.apps import AppConfig
from django.conf import settings

from madoguchi.registry.plugins import registry_connectors


class HttpRegistryConfig(AppConfig):
    """The registry connector that asks the core system's API; registered only when configured."""

    name = "madoguchi.registry.contrib.http"
    label = "registry_http"
    verbose_name = "registry HTTP connector"

    def ready(self) -> None:
        # The connector uses the registry's models, which load once the app registry is ready.
        from .connector import connector_from_settings

        connector = connector_from_settings(getattr(settings, "REGISTRY_HTTP", {}))
        if connector is not None:
            registry_connectors.register(connector.id, connector)
