from django.urls import path

from . import views

app_name = "forms"
urlpatterns = [
    path("api/postal/<str:code>/", views.postal_lookup, name="postal_lookup"),
]
