from django.apps import AppConfig


class BenchFloorConfig(AppConfig):
    name = "madoguchi.benchfloor"
    label = "benchfloor"
