from django.apps import AppConfig

from madoguchi.core.search_sources import document_changed


class SearchConfig(AppConfig):
    """The site search. It indexes the sources other apps register in
    :mod:`madoguchi.core.search_sources` (catalog: procedures and life events, faq: entries)
    and imports none of them."""

    name = "madoguchi.search"
    label = "search"

    def ready(self) -> None:
        # Models and the signal handlers that use them load once the app registry is ready.
        from .services import document_changed_received

        document_changed.connect(document_changed_received, dispatch_uid="search-reindex")
