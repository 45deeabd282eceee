from django.urls import path

from . import views

app_name = "residents"
urlpatterns = [
    path("account/signup/", views.signup, name="signup"),
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", views.logout_view, name="logout"),
    path("my/", views.mypage, name="mypage"),
]
