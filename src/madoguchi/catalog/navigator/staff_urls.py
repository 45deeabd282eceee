from django.urls import path

from . import staff_views

app_name = "catalog_staff"
urlpatterns = [
    path("", staff_views.index, name="index"),
    path("events/new/", staff_views.event_edit, name="event_new"),
    path("events/<slug:slug>/", staff_views.event_detail, name="event"),
    path("events/<slug:slug>/edit/", staff_views.event_edit, name="event_edit"),
    path("events/<slug:slug>/questions/new/", staff_views.question_edit, name="question_new"),
    path("events/<slug:slug>/questions/<int:pk>/", staff_views.question_edit, name="question"),
    path("events/<slug:slug>/questions/<int:pk>/delete/", staff_views.question_delete,
         name="question_delete"),
    path("events/<slug:slug>/rules/new/", staff_views.rule_edit, name="rule_new"),
    path("events/<slug:slug>/rules/<int:pk>/", staff_views.rule_edit, name="rule"),
    path("events/<slug:slug>/rules/<int:pk>/delete/", staff_views.rule_delete,
         name="rule_delete"),
]
