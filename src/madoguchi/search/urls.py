# The resident search page stays at /search/ under its old name ``catalog:search`` (the catalog
# view calls ``madoguchi.search.views.search_page``), so this module adds no routes of its own.
from django.urls import path  # noqa: F401

app_name = "search"
urlpatterns: list = []
