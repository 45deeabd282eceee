"""Field-type tests read the messages residents see, in Japanese."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def japanese():
    with translation.override("ja"):
        yield
