from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "madoguchi.search"
    label = "search"
