"""BPR: business-process worksheets (as-is / to-be) and the measured effect dashboard."""
from django.apps import AppConfig

from madoguchi.core.clocks import clocks


class BprConfig(AppConfig):
    name = "madoguchi.bpr"
    label = "bpr"
    verbose_name = "BPR worksheets and effect"

    def ready(self) -> None:
        from .tasks import start_clock

        # The effect dashboard's roll-up of yesterday, every day at 00:30; serve starts it.
        clocks.register("bpr_rollup", start_clock)
