from django.apps import AppConfig

from madoguchi.core.sealed_fields import SealedField, sealed_fields


class CounterConfig(AppConfig):
    """The counter visit (decisions floor): it files applications and reads the catalog, the
    forms, the tickets and the resident registry below it."""

    name = "madoguchi.counter"
    label = "counter"
    verbose_name = "counter visits"

    def ready(self) -> None:
        # A visit's and a pre-application's personal data are sealed with their public id as the
        # context; rotate_encryption_key re-seals both.
        for model in ("counter.Visit", "counter.PreApplication"):
            sealed_fields.register(f"{model}.sealed", SealedField(
                model, "sealed", lambda o: str(o.public_id)))
        # A signature is sealed with its visit's public id.
        sealed_fields.register("counter.Signature.sealed", SealedField(
            "counter.Signature", "sealed", lambda o: str(o.visit.public_id)))
        from madoguchi.applications.case_panels import case_panels

        from .panels import signature_panel
        case_panels.register("counter_signature", signature_panel)
