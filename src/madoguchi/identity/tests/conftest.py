"""The local OpenID provider, started once for the identity tests (and configured per test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from madoguchi.identity.contrib.oidc.provider import configure

from .oidc_provider import LocalProvider


@pytest.fixture(scope="session")
def local_idp_server() -> Iterator[LocalProvider]:
    provider = LocalProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def local_idp(local_idp_server: LocalProvider) -> Iterator[LocalProvider]:
    """The provider, reset and registered as the resident provider ``card``."""
    server = local_idp_server
    server.tamper.clear()
    server.codes.clear()
    server.logouts.clear()
    server.auto_approve = True
    configure([server.config()])
    yield server
    configure([])
