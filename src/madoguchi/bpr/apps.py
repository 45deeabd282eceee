from django.apps import AppConfig


class BprConfig(AppConfig):
    name = "madoguchi.bpr"
    label = "bpr"
    verbose_name = "BPR worksheets and effect"
