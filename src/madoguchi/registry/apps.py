from django.apps import AppConfig

from madoguchi.core.sealed_fields import SealedField, sealed_fields


class RegistryConfig(AppConfig):
    """The resident master (catalog floor): records from the core system (住民基本台帳) for
    prefill and counter look-up, read through registry connectors.

    The app holds the connector registry and contract (:mod:`madoguchi.registry.plugins`);
    connectors live under :mod:`madoguchi.registry.contrib` and register in their ``ready()``.
    """

    name = "madoguchi.registry"
    label = "registry"
    verbose_name = "resident registry"

    def ready(self) -> None:
        # The models load once the app registry is ready.
        from .models import person_context

        sealed_fields.register("registry.Person.sealed", SealedField(
            "registry.Person", "sealed", lambda o: person_context(o.source, o.record_id)))
