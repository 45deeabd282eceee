from django.apps import AppConfig


class IssuanceConfig(AppConfig):
    name = "madoguchi.issuance"
    label = "issuance"

    def ready(self) -> None:
        from madoguchi.applications.case_panels import case_panels
        from madoguchi.applications.timeline import progress_sources, timeline_sources

        from . import case_steps

        # A certificate by post: 郵送済み on the case's timeline and state, and the panel
        # that leads the clerk to 「住民票の写しを作成」.
        if "certificates" not in timeline_sources:
            timeline_sources.register("certificates", case_steps.steps)
            progress_sources.register("certificates", case_steps.progress)
        if "postal_certificate" not in case_panels:
            case_panels.register("postal_certificate", case_steps.case_panel)
