"""Fixtures for the LINE channel: the fake LINE API."""

from __future__ import annotations

import pytest

from madoguchi.demo.line_fake import FakeLineApi

SECRET = "test-channel-secret"


@pytest.fixture
def line_api(settings):
    """The fake LINE API, with the LINE channel configured to use it."""
    with FakeLineApi() as fake:
        settings.LINE_CHANNEL_SECRET = SECRET
        settings.LINE_CHANNEL_ACCESS_TOKEN = fake.access_token
        settings.LINE_API_BASE = fake.url
        settings.LINE_API_DATA_BASE = fake.url
        yield fake
