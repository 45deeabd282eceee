from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "madoguchi.search"
    label = "search"

    def ready(self) -> None:
        from . import sources

        sources.register()
