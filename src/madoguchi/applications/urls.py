from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("apply/resume/<str:token>/", views.resume, name="resume"),
    path("apply/received/<uuid:public_id>/", views.received, name="received"),
    path("apply/<slug:slug>/", views.start, name="start"),
    path("apply/<slug:slug>/check/", views.check, name="check"),
    path("apply/<slug:slug>/save/", views.save_for_later, name="save"),
    path("apply/<slug:slug>/<slug:page>/", views.page_view, name="page"),
    path("my/applications/<uuid:public_id>/", views.detail, name="detail"),
    path("my/applications/<uuid:public_id>/submitted/", views.submitted, name="submitted"),
    path("my/applications/<uuid:public_id>/correct/", views.correct, name="correct"),
    path("my/drafts/<uuid:public_id>/delete/", views.discard_draft, name="discard_draft"),
]
