from django.urls import path

from . import views

app_name = "search_staff"
urlpatterns = [
    path("synonyms/", views.synonyms, name="synonyms"),
    path("synonyms/<int:pk>/", views.synonym_edit, name="synonym_edit"),
    path("synonyms/<int:pk>/delete/", views.synonym_delete, name="synonym_delete"),
]
