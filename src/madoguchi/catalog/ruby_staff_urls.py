from django.urls import path

from . import ruby_views

app_name = "catalog_ruby"
urlpatterns = [
    path("", ruby_views.dictionary, name="dictionary"),
    path("<int:pk>/delete/", ruby_views.delete, name="delete"),
]
