# The resident search page stays at /search/ under its old name ``catalog:search``: it is
# mounted from resident_urls.py in the catalog namespace, so this module adds no routes of its own.
from django.urls import path  # noqa: F401

app_name = "search"
urlpatterns: list = []
