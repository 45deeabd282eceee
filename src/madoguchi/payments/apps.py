from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Payment providers (decisions floor): fees paid online (手数料, 証明書の交付手数料 ...).

    The app holds the registry and the contract (:mod:`madoguchi.payments.plugins`); providers
    live under :mod:`madoguchi.payments.contrib` and register themselves in their ``ready()``.
    """

    name = "madoguchi.payments"
    label = "payments"
    verbose_name = "payment providers"
