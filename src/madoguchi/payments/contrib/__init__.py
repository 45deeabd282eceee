"""Where payment providers go: one package per provider, ``contrib/<provider>/``.

A provider package holds its :class:`~madoguchi.payments.plugins.PaymentProvider` subclass, its
webhook verification, templates and tests, and registers one instance with
:data:`~madoguchi.payments.plugins.payment_providers` from its own ``AppConfig.ready()`` (the
package is an app of its own, added to ``INSTALLED_APPS`` by the city that uses it). Adding a
provider touches only its folder. None ships yet: each provider (a card acquirer, PayPay,
コンビニ払い, 地方税統一QRコード) comes with its own issue.
"""
