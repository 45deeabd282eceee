from django.urls import path

from . import views

app_name = "translations"
urlpatterns = [
    path("", views.index, name="index"),
    path("languages/<str:code>/", views.language, name="language"),
    path("procedures/<slug:slug>/export/", views.procedure_export, name="procedure_export"),
    path("procedures/<slug:slug>/import/", views.procedure_import, name="procedure_import"),
    path("forms/<int:pk>/export/", views.form_export, name="form_export"),
    path("forms/<int:pk>/import/", views.form_import, name="form_import"),
    path("faq/export/", views.faq_export, name="faq_export"),
    path("faq/import/", views.faq_import, name="faq_import"),
    path("city/export/", views.city_export, name="city_export"),
    path("city/import/", views.city_import, name="city_import"),
]
