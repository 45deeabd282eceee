from django.urls import path

from madoguchi.applications import export_views, staff_views, workflow_views
from madoguchi.approvals import views as approval_views
from madoguchi.core import audit_views

from . import views

app_name = "staff"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.two_factor_view, name="two_factor"),
    path("login/setup/", views.two_factor_setup_view, name="two_factor_setup"),
    path("logout/", views.logout_view, name="logout"),
    path("", staff_views.inbox, name="inbox"),
    path("applications/<uuid:public_id>/", staff_views.case, name="case"),
    path("applications/<uuid:public_id>/status/", staff_views.change_status, name="status"),
    path("applications/bulk-status/", staff_views.bulk_status, name="bulk_status"),
    path("applications/<uuid:public_id>/assign/", staff_views.assign, name="assign"),
    path("applications/<uuid:public_id>/comments/", staff_views.add_comment, name="comment"),
    path("applications/<uuid:public_id>/correction/", workflow_views.request_correction,
         name="correction"),
    path("applications/<uuid:public_id>/approval/", workflow_views.start_approval,
         name="approval_start"),
    path("applications/<uuid:public_id>/approval/decide/", workflow_views.decide,
         name="approval_decide"),
    path("applications/<uuid:public_id>/issue/", workflow_views.issue_document, name="issue"),
    path("procedures/", workflow_views.procedure_list, name="procedures"),
    path("delegations/", approval_views.delegations, name="delegations"),
    path("procedures/<slug:slug>/workflow/", workflow_views.procedure_workflow,
         name="procedure_workflow"),
    path("applications/<uuid:public_id>/files/<slug:key>/<int:index>/", staff_views.attachment,
         name="attachment"),
    path("stats/", views.stats_view, name="stats"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("admin/two-factor/", views.two_factor_admin_view, name="two_factor_admin"),
    path("admin/two-factor/<int:member_id>/reset/", views.two_factor_reset_view,
         name="two_factor_reset"),
    path("exports/", export_views.export_applications, name="exports"),
    path("exports/log/", export_views.export_log, name="exports_log"),
]
