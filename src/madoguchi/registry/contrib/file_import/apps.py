from django.apps import AppConfig

from madoguchi.registry.plugins import registry_connectors


class FileImportConfig(AppConfig):
    """The registry connector that imports the CSV extract of a 住民記録システム."""

    name = "madoguchi.registry.contrib.file_import"
    label = "registry_file_import"
    verbose_name = "registry file import"

    def ready(self) -> None:
        # The connector uses the registry's models, which load once the app registry is ready.
        from .connector import FileImportConnector

        registry_connectors.register(FileImportConnector.id, FileImportConnector())
