from django.apps import AppConfig

from madoguchi.core.clocks import clocks


class RetentionConfig(AppConfig):
    name = "madoguchi.retention"
    label = "retention"
    verbose_name = "Retention and deletion (保存年限)"

    def ready(self) -> None:
        from .tasks import start_clock

        # The daily deletion of what is past its retention period; serve starts it.
        clocks.register("retention", start_clock)
