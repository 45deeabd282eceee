from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Payment providers (decisions floor): fees paid online (手数料, 証明書の交付手数料 ...).

    The app holds the registry and the contract (:mod:`madoguchi.payments.plugins`); providers
    live under :mod:`madoguchi.payments.contrib` and are registered here: Stripe Checkout, and
    the demo provider (enabled only with MADOGUCHI_DEMO or in tests).
    """

    name = "madoguchi.payments"
    label = "payments"
    verbose_name = "payment providers"

    def ready(self) -> None:
        from .contrib.demo.provider import DemoProvider
        from .contrib.stripe.provider import StripeProvider
        from .plugins import payment_providers

        for provider in (DemoProvider(), StripeProvider()):
            if provider.id not in payment_providers:
                payment_providers.register(provider.id, provider)
