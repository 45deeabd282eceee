from django.urls import path

from . import certificate_views, views

app_name = "issuance"
urlpatterns = [
    path("my/documents/<uuid:public_id>/download/", views.resident_download,
         name="resident_download"),
    path("staff/documents/<uuid:public_id>/download/", views.staff_download,
         name="staff_download"),
    path("verify/<uuid:public_id>/", views.verify, name="verify"),
    path("staff/certificates/<uuid:public_id>/", certificate_views.certificate,
         name="certificate"),
    path("staff/certificates/<uuid:public_id>/choose/", certificate_views.choose,
         name="certificate_choose"),
    path("staff/certificates/<uuid:public_id>/print/", certificate_views.print_certificate,
         name="certificate_print"),
    path("staff/certificates/<uuid:public_id>/posted/", certificate_views.posted,
         name="certificate_posted"),
]
