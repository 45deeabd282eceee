"""URLs of the form builder, under /staff/forms/."""

from django.urls import path

from . import preview, views

app_name = "builder"
urlpatterns = [
    path("", views.form_list, name="list"),
    path("new/", views.form_create, name="create"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<slug:slug>/use/", views.template_use, name="template_use"),
    path("import/", views.form_import, name="import"),
    path("<int:pk>/", views.editor, name="editor"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/settings/", views.form_settings, name="settings"),
    path("<int:pk>/fields/<slug:key>/", views.field_edit, name="field"),
    path("<int:pk>/pages/<slug:key>/", views.page_edit, name="page"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("<int:pk>/duplicate/", views.duplicate, name="duplicate"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/history/<int:number>/restore/", views.restore, name="restore"),
    path("<int:pk>/preview/", preview.preview, name="preview"),
    path("<int:pk>/preview/<slug:page>/", preview.preview, name="preview_page"),
]
