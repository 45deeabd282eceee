from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Payment providers (decisions floor): fees paid online (手数料, 証明書の交付手数料 ...).

    The app holds the registry and the contract (:mod:`madoguchi.payments.plugins`); providers
    live under :mod:`madoguchi.payments.contrib` and are registered here: Stripe Checkout, and
    the demo provider (enabled only with MADOGUCHI_DEMO or in tests), and the clock that asks
    the providers about pending payments.
    """

    name = "madoguchi.payments"
    label = "payments"
    verbose_name = "payment providers"

    def ready(self) -> None:
        from madoguchi.applications.decisions import approval_checks
        from madoguchi.applications.hooks import after_submit
        from madoguchi.applications.timeline import (
            progress_sources,
            release_checks,
            timeline_sources,
        )
        from madoguchi.core.clocks import clocks

        from . import case_steps, selectors
        from .contrib.demo.provider import DemoProvider
        from .contrib.stripe.provider import StripeProvider
        from .plugins import payment_providers
        from .services import pay_before_sending
        from .tasks import start_clock

        for provider in (DemoProvider(), StripeProvider()):
            if provider.id not in payment_providers:
                payment_providers.register(provider.id, provider)
        # Every five minutes, ask the providers about pending payments nobody heard of (a
        # lost notification, a crash before our commit); serve starts it.
        if "payments" not in clocks:
            clocks.register("payments", start_clock)
        # A fee charged before sending: from the check page straight to the provider.
        if "payments" not in after_submit:
            after_submit.register("payments", pay_before_sending)
        # A case's fee on its timeline and beside its status (支払待ち, 支払済み), and 承認 of a
        # case whose fee is charged after review only with the step that states the amount.
        if "payments" not in timeline_sources:
            timeline_sources.register("payments", case_steps.steps)
            progress_sources.register("payments", case_steps.progress)
            release_checks.register("payments", selectors.fee_cleared)
        if "fee_after_review" not in approval_checks:
            approval_checks.register("fee_after_review", case_steps.approval_needs_fee)
