"""Staff pages of retention: a procedure's 保存年限 and the record of deletions.

Mounted under ``staff/`` in the shared ``staff`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("retention/", views.overview, name="retention"),
    path("procedures/<slug:slug>/retention/", views.procedure_retention,
         name="procedure_retention"),
]
