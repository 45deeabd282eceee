from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The site search. It indexes what other apps register (catalog: procedures and life
    events, faq: entries) and imports none of them."""

    name = "madoguchi.search"
    label = "search"
