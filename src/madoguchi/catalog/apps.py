from django.apps import AppConfig

from madoguchi.channels.base import context_providers


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    label = "catalog"

    def ready(self) -> None:
        # Models and the modules that use them load once the app registry is ready.
        from . import search_source
        from .context_processors import notice_city

        search_source.register()
        context_providers.register("city", notice_city)
