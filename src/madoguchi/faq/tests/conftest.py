from __future__ import annotations

import pytest

from madoguchi.faq.tests.helpers import pending_catalog


@pytest.fixture(autouse=True)
def faq_catalog(settings, tmp_path_factory) -> None:
    """Translations of this app that may not be merged into the main catalog yet."""
    path = pending_catalog(tmp_path_factory.mktemp("faq-locale"))
    if path is not None:
        settings.LOCALE_PATHS = [path, *settings.LOCALE_PATHS]
