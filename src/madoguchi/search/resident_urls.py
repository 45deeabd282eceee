"""The resident search page at ``/search/``, in the shared ``catalog`` namespace as
``catalog:search`` (its name from before the search app existed)."""

from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
]
