from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The site search. It indexes the sources other apps register in
    :mod:`madoguchi.core.search_sources` (catalog: procedures and life events, faq: entries)
    and imports none of them."""

    name = "madoguchi.search"
    label = "search"

    def ready(self) -> None:
        from madoguchi.core.search_sources import document_changed

        from .services import document_changed_received

        document_changed.connect(document_changed_received, dispatch_uid="search-reindex")
