"""The demo city's fees paid online: 住民票の写し after review, 課税証明書 before sending."""

from __future__ import annotations

from madoguchi.catalog.models import Procedure
from madoguchi.payments.models import Charged, FeeExemption, FeeSchedule

FEES = [
    # slug, yen per copy, postage, when charged
    ("juminhyo", 300, 110, Charged.AFTER_REVIEW),
    ("kazei-shomei", 300, 0, Charged.BEFORE_SENDING),
]
WELFARE = {"ja": "生活保護受給者（手数料免除）", "en": "Public assistance recipient (fee waived)"}


def load_demo() -> dict[str, int]:
    """Create or update the demo fee schedules (the provider: the demo provider)."""
    count = 0
    for slug, per_copy, postage, charged in FEES:
        procedure = Procedure.objects.filter(slug=slug).first()
        if procedure is None:
            continue
        schedule, _created = FeeSchedule.objects.update_or_create(
            procedure=procedure, defaults={"per_copy": per_copy, "postage": postage,
                                           "charged": charged, "provider": "demo"})
        FeeExemption.objects.update_or_create(
            schedule=schedule, code="seikatsu-hogo",
            defaults={"label": WELFARE, "covers_postage": True})
        count += 1
    return {"fee_schedules": count}
