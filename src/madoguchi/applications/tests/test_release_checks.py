"""The release-check seam: an app above applications holds a decided case back without the app
that sends the document importing it (issuance asks, payments answers)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from madoguchi.applications import timeline


@pytest.mark.django_db
def test_every_registered_check_must_clear_the_case() -> None:
    assert "payments" in timeline.release_checks  # registered by the payments app
    held = SimpleNamespace(procedure_id=-1)  # no fee schedule: payments does not hold it
    free = SimpleNamespace(procedure_id=-1)
    assert timeline.cleared(held) is True
    with timeline.release_checks.temporary("hold", lambda application: application is not held):
        assert timeline.cleared(held) is False
        assert timeline.cleared(free) is True
    assert timeline.cleared(held) is True
