"""Staff sign-in, two-factor and audit pages.

Mounted by the root URLconf under ``staff/`` in the ``staff`` namespace, which the staff URL
modules of the apps above (applications, approvals) share: each app owns its staff URLs.
"""

from django.urls import path

from . import audit_views, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.two_factor_view, name="two_factor"),
    path("login/setup/", views.two_factor_setup_view, name="two_factor_setup"),
    path("logout/", views.logout_view, name="logout"),
    path("login/sso/<str:provider_id>/", views.sso_start, name="oidc_start"),
    path("login/sso/<str:provider_id>/callback/", views.sso_callback, name="oidc_callback"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("admin/two-factor/", views.two_factor_admin_view, name="two_factor_admin"),
    path("admin/two-factor/<int:member_id>/reset/", views.two_factor_reset_view,
         name="two_factor_reset"),
]
