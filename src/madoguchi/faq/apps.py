from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "madoguchi.faq"
    label = "faq"
    verbose_name = "FAQ, chat and inquiries"

    def ready(self) -> None:
        # Models and the modules that use them load once the app registry is ready.
        from . import search_source

        search_source.register()
