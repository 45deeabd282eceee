"""Staff pages of approvals: a case's steps (差戻し, 起案 and decisions, 交付), each procedure's
status machine and approval route, and delegation. Mounted under ``staff/`` in the shared
``staff`` namespace."""

from django.urls import path

from . import views, workflow_views

urlpatterns = [
    path("applications/<uuid:public_id>/correction/", workflow_views.request_correction,
         name="correction"),
    path("applications/<uuid:public_id>/approval/", workflow_views.start_approval,
         name="approval_start"),
    path("applications/<uuid:public_id>/approval/decide/", workflow_views.decide,
         name="approval_decide"),
    path("applications/<uuid:public_id>/issue/", workflow_views.issue_document, name="issue"),
    path("procedures/", workflow_views.procedure_list, name="procedures"),
    path("procedures/<slug:slug>/workflow/", workflow_views.procedure_workflow,
         name="procedure_workflow"),
    path("delegations/", views.delegations, name="delegations"),
]
