from django.apps import AppConfig


class LineConfig(AppConfig):
    name = "madoguchi.line"
    label = "line"
    verbose_name = "LINE official account"
