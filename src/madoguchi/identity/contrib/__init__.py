"""Where identity providers go: one package per provider, ``contrib/<provider>/``.

A provider package holds its :class:`~madoguchi.identity.plugins.IdentityProvider` subclass, its
settings helpers, templates and tests, and registers one instance with
:data:`~madoguchi.identity.plugins.identity_providers` from its own ``AppConfig.ready()`` (the
package is an app of its own, added to ``INSTALLED_APPS`` by the city that uses it). Adding a
provider touches only its folder. None ships yet: each provider (マイナンバーカード公的個人認証 via
a JPKI service, デジタル認証アプリ, a city's OIDC) comes with its own issue.
"""
