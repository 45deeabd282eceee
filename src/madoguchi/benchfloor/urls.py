"""Bench routes, mounted under ``bench/`` only when the benchfloor app is installed."""

from django.urls import path

from . import views

urlpatterns = [
    path("floor/", views.bench_floor, name="bench_floor"),
    path("display-queries/", views.display_queries, name="bench_display_queries"),
]
