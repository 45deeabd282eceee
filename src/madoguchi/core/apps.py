from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "madoguchi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from . import checks, metrics  # noqa: F401 - checks registers the deployment checks

        task_finished.connect(metrics.on_task_finished, dispatch_uid="madoguchi.metrics.tasks")
