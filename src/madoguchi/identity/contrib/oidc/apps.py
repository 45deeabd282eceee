from django.apps import AppConfig


class OIDCConfig(AppConfig):
    """Registers one identity provider per configured OpenID Connect provider."""

    name = "madoguchi.identity.contrib.oidc"
    label = "identity_oidc"
    verbose_name = "OpenID Connect identity providers"

    def ready(self) -> None:
        from django.conf import settings

        from .provider import configure

        configure(settings.OIDC_PROVIDERS)
