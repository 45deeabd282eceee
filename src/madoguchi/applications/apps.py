from django.apps import AppConfig

from madoguchi.core.sealed_fields import SealedField, sealed_fields


class ApplicationsConfig(AppConfig):
    name = "madoguchi.applications"
    label = "applications"

    def ready(self) -> None:
        # Answers and drafts are sealed with their public id as the context.
        for model, field in (("applications.Application", "sealed_answers"),
                             ("applications.Draft", "sealed")):
            sealed_fields.register(f"{model}.{field}", SealedField(
                model, field, lambda o: str(o.public_id)))
