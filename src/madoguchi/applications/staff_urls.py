"""Staff pages of applications: inbox, case, statistics and exports.

Mounted by the root URLconf under ``staff/`` in the shared ``staff`` namespace. The case's
steps (差戻し, 電子決裁, 交付) and the workflow settings are approvals' pages
(``approvals/staff_urls.py``).
"""

from django.urls import path

from . import export_views, staff_views

urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("applications/<uuid:public_id>/", staff_views.case, name="case"),
    path("applications/<uuid:public_id>/status/", staff_views.change_status, name="status"),
    path("applications/bulk-status/", staff_views.bulk_status, name="bulk_status"),
    path("applications/<uuid:public_id>/assign/", staff_views.assign, name="assign"),
    path("applications/<uuid:public_id>/comments/", staff_views.add_comment, name="comment"),
    path("applications/<uuid:public_id>/files/<slug:key>/<int:index>/", staff_views.attachment,
         name="attachment"),
    path("applications/<uuid:public_id>/legal-hold/", staff_views.legal_hold,
         name="legal_hold"),
    path("stats/", staff_views.stats_view, name="stats"),
    path("exports/", export_views.export_applications, name="exports"),
    path("exports/log/", export_views.export_log, name="exports_log"),
]
