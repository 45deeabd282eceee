from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Identity providers (people floor): who verifies a resident's identity and how.

    The app holds the registry and the contract (:mod:`madoguchi.identity.plugins`); providers
    live under :mod:`madoguchi.identity.contrib` and register themselves in their ``ready()``.
    """

    name = "madoguchi.identity"
    label = "identity"
    verbose_name = "identity providers"
