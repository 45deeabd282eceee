"""Fixtures for issuance: a demo CA of the tests' own (never VAR_DIR) and issued documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.issuance import services
from madoguchi.issuance.signing import create_demo_ca


@pytest.fixture(scope="session")
def signing_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("signing")
    create_demo_ca(directory)
    return directory


@pytest.fixture(scope="session")
def stranger_p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another authority's certificate for a city of the same name: an unknown signer."""
    return create_demo_ca(tmp_path_factory.mktemp("stranger"))


@pytest.fixture(autouse=True)
def signing_settings(settings, signing_dir: Path, tmp_path: Path) -> None:
    settings.SIGNING_PKCS12 = str(signing_dir / "city.p12")
    settings.SIGNING_PKCS12_PASSWORD = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SITE_URL = "https://madoguchi.example.jp"


@pytest.fixture
def approved(application, staff_user):
    """The resident's application, decided (approved) by a 子育て支援課 clerk."""
    from madoguchi.applications.models import StatusEvent

    StatusEvent.objects.create(application=application, from_status=application.status,
                               to_status="approved", actor=staff_user)
    return application


@pytest.fixture
def issued(approved, staff_user):
    """A grant notice issued for the approved application."""
    return services.issue(approved, "grant", staff_user)
