from django.urls import path

from . import views

app_name = "bpr"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.worksheet, name="worksheet"),
    path("<slug:slug>/create/", views.worksheet_create, name="worksheet_create"),
    path("<slug:slug>/views/<str:view>/new/", views.step_new, name="step_new"),
    path("<slug:slug>/steps/<int:pk>/", views.step_edit, name="step_edit"),
    path("<slug:slug>/steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path("<slug:slug>/steps/<int:pk>/move/", views.step_move, name="step_move"),
    path("<slug:slug>/steps/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("<slug:slug>/evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("<slug:slug>/versions/", views.versions, name="versions"),
    path("<slug:slug>/versions/<int:number>/", views.version, name="version"),
    path("<slug:slug>/print/", views.print_view, name="print"),
    path("<slug:slug>/export.xlsx", views.export, name="export"),
    path("<slug:slug>/import/", views.import_view, name="import"),
]
