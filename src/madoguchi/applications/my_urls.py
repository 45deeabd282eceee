"""The my page. Mounted by the root URLconf in the shared ``residents`` namespace."""

from django.urls import path

from . import my_views

urlpatterns = [
    path("my/", my_views.mypage, name="mypage"),
]
