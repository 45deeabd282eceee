from django.apps import AppConfig

from . import probe


class BenchFloorConfig(AppConfig):
    name = "madoguchi.benchfloor"
    label = "benchfloor"

    def ready(self) -> None:
        probe.connect()
