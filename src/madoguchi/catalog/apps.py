from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    label = "catalog"
