"""Resident accounts: sign-up, sign-in and password reset.

Mounted by the root URLconf in the ``residents`` namespace, which the my page of applications
(``applications.my_urls``) shares.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("account/signup/", views.signup, name="signup"),
    path("account/signup/sent/", views.signup_sent, name="signup_sent"),
    path("account/confirm/resend/", views.resend_confirmation, name="resend_confirmation"),
    path("account/confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", views.logout_view, name="logout"),
    path("account/idp/email/", views.identity_email, name="identity_email"),
    path("account/idp/<str:provider_id>/start/", views.oidc_start, name="oidc_start"),
    path("account/idp/<str:provider_id>/callback/", views.oidc_callback, name="oidc_callback"),
    path("account/idp/<str:provider_id>/link/", views.oidc_link, name="oidc_link"),
    path("account/idp/<str:provider_id>/unlink/", views.oidc_unlink, name="oidc_unlink"),
    path("account/password/reset/", views.password_reset, name="password_reset"),
    path("account/password/reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path("account/password/reset/<str:uidb64>/<str:token>/", views.password_reset_confirm,
         name="password_reset_confirm"),
]
