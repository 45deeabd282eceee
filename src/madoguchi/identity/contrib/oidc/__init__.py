"""OpenID Connect identity providers (authorization code flow with PKCE), built on Authlib.

Configured, not coded: ``settings.OIDC_PROVIDERS`` (env ``MADOGUCHI_OIDC_PROVIDERS``) lists the
providers; each becomes one :class:`~.provider.OIDCProvider` in the identity registry.
"""
