from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("procedures/<slug:slug>/", views.procedure_detail, name="procedure"),
]
