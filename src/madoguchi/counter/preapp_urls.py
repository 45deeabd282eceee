"""The resident's pre-application pages (スマート申請), mounted at /pre/ in ``preapp``."""

from django.urls import path

from . import preapp_views

app_name = "preapp"

urlpatterns = [
    path("", preapp_views.start, name="start"),
    path("<str:token>/events/", preapp_views.events, name="events"),
    path("<str:token>/answers/", preapp_views.answers, name="answers"),
    path("<str:token>/code/", preapp_views.code, name="code"),
]
