from django.apps import AppConfig

from madoguchi.applications.decisions import decision_checks


class ApprovalsConfig(AppConfig):
    name = "madoguchi.approvals"
    label = "approvals"

    def ready(self) -> None:
        # Models and the selectors that use them load once the app registry is ready.
        from . import selectors

        # A procedure with an approval route is decided through it, not by the status buttons.
        decision_checks.register("approval_route", selectors.has_route)
