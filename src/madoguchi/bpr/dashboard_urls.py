"""The effect dashboard, mounted at /staff/bpr/effect/."""

from django.urls import path

from . import dashboard_views

app_name = "bpr_effect"
urlpatterns = [
    path("", dashboard_views.dashboard_view, name="dashboard"),
    path("<slug:table>.<str:ext>", dashboard_views.download_view, name="download"),
]
