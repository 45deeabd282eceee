"""Resident pages of the catalog and the navigator.

Mounted by the root URLconf in the ``catalog`` namespace, which the site search page
(``search.resident_urls``) shares.
"""

from django.urls import path

from . import ruby_views, views
from .navigator import views as navigator_views

urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/<slug:slug>/", views.procedure_detail, name="procedure"),
    path("ruby/", ruby_views.switch, name="ruby"),
    path("navi/", navigator_views.home, name="navi"),
    path("navi/<slug:slug>/", navigator_views.questions, name="navi_questions"),
    path("navi/<slug:slug>/checklist/", navigator_views.checklist, name="navi_checklist"),
    path("navi/<slug:slug>/checklist/print/", navigator_views.checklist_print,
         name="navi_print"),
]
