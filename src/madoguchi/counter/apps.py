from django.apps import AppConfig


class CounterConfig(AppConfig):
    """The counter visit (decisions floor): it files applications and reads the catalog, the
    forms, the tickets and the resident registry below it."""

    name = "madoguchi.counter"
    label = "counter"
    verbose_name = "counter visits"

    def ready(self) -> None:
        from madoguchi.core.sealed_fields import SealedField, sealed_fields

        # The visit's personal data is sealed with the visit's public id as the context.
        sealed_fields.register("counter.Visit.sealed", SealedField(
            "counter.Visit", "sealed", lambda o: str(o.public_id)))
