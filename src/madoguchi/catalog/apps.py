from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    label = "catalog"

    def ready(self) -> None:
        from madoguchi.channels.base import context_providers

        from . import search_source
        from .context_processors import notice_city

        search_source.register()
        context_providers.register("city", notice_city)
