from django.urls import path

from madoguchi.applications import staff_views

from . import views

app_name = "staff"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", staff_views.inbox, name="inbox"),
    path("applications/<uuid:public_id>/", staff_views.case, name="case"),
    path("applications/<uuid:public_id>/status/", staff_views.change_status, name="status"),
    path("applications/<uuid:public_id>/files/<slug:key>/<int:index>/", staff_views.attachment,
         name="attachment"),
]
