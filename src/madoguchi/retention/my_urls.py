"""The resident's own page of retention: deleting their account (in the "residents" namespace)."""

from django.urls import path

from . import my_views

urlpatterns = [
    path("my/account/delete/", my_views.delete_account, name="delete_account"),
    path("account/deleted/", my_views.account_deleted, name="account_deleted"),
]
