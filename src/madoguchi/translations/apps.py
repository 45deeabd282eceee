"""The translation workflow: export texts to Excel for translators, import them back, and see
what is untranslated per language."""

from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    name = "madoguchi.translations"
    label = "translations"
    verbose_name = "Translations of resident content"
