"""Fixtures of fees paid online: a fee on the test form's procedure, a pending payment."""

from __future__ import annotations

import pytest

from madoguchi.payments.models import Charged, FeeExemption, FeeSchedule


@pytest.fixture
def schedule(procedure):
    """300 yen per copy plus 110 yen postage, after review, with the welfare exemption."""
    fee = FeeSchedule.objects.create(procedure=procedure, per_copy=300, postage=110,
                                     charged=Charged.AFTER_REVIEW, provider="demo")
    FeeExemption.objects.create(schedule=fee, code="seikatsu-hogo",
                                label={"ja": "生活保護受給者", "en": "Public assistance"},
                                covers_postage=False)
    return fee
