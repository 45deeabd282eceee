from django.apps import AppConfig

from madoguchi.channels.base import context_providers


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    label = "catalog"

    def ready(self) -> None:
        # Models and the modules that use them load once the app registry is ready.
        from django.db.models.signals import post_delete, post_save

        from . import search_source
        from .context_processors import notice_city
        from .models import City
        from .selectors import forget_city

        search_source.register()
        context_providers.register("city", notice_city)
        post_save.connect(forget_city, sender=City, dispatch_uid="catalog.forget_city.save")
        post_delete.connect(forget_city, sender=City, dispatch_uid="catalog.forget_city.delete")
