from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "madoguchi.approvals"
    label = "approvals"

    def ready(self) -> None:
        # Imported here: the selectors use models, which load only once the apps are ready.
        from madoguchi.applications.decisions import decision_checks

        from . import selectors

        # A procedure with an approval route is decided through it, not by the status buttons.
        decision_checks.register("approval_route", selectors.has_route)
