from django.urls import path

from . import views

app_name = "issuance"
urlpatterns = [
    path("my/documents/<uuid:public_id>/download/", views.resident_download,
         name="resident_download"),
    path("staff/documents/<uuid:public_id>/download/", views.staff_download,
         name="staff_download"),
    path("verify/<uuid:public_id>/", views.verify, name="verify"),
]
