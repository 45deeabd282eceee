from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    label = "catalog"

    def ready(self) -> None:
        from . import search_source

        search_source.register()
