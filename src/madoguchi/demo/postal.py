"""Demo only: 住民票の写しの郵送請求 in 緑ヶ丘市, the end-to-end procedure of 来させない.

The resident signs in with the card-based identity provider (the form needs ``assurance:
high``, so 氏名・住所・生年月日 come verified and locked), asks for copies of the 住民票 by post;
市民課 approves and asks for 300 yen per copy plus 110 yen postage (charged after review, the
demo payment provider), then makes the certificate from the resident registry and posts it to
the registered address. The procedure, its form and fee are written in
``data/juminhyo-yuso.json``; loading is idempotent and keeps what staff changed in the form.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from madoguchi.catalog.models import Counter, Procedure
from madoguchi.forms.models import FormDefinition, FormRevision
from madoguchi.forms.services import publish
from madoguchi.issuance import services as issuance_services
from madoguchi.issuance.models import CertificateKind, PostalCertificate
from madoguchi.payments.models import Charged, FeeExemption, FeeSchedule
from madoguchi.staff.models import Department

DATA = Path(__file__).resolve().parent / "data" / "juminhyo-yuso.json"
PER_COPY = 300
POSTAGE = 110
WELFARE = {"ja": "生活保護受給者（手数料免除）", "en": "Public assistance recipient (fee waived)"}


def data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def load_demo(sort_order: int = 1000) -> dict[str, int]:
    """Create or update the procedure, publish its form (once), its fee and the certificate
    it is answered with."""
    loaded = data()
    p = loaded["procedure"]
    department = Department.objects.filter(code=p["department"]).first()
    if department is None:  # a test's own small city
        return {"postal_procedures": 0}
    procedure, _created = Procedure.objects.update_or_create(
        slug=p["slug"],
        defaults={
            "department": department,
            "counter": Counter.objects.filter(code=p.get("counter") or "").first(),
            "name": p["name"],
            "kana": p["kana"],
            "summary": p["summary"],
            "description": p["description"],
            "eligibility": p["eligibility"],
            "deadline": p["deadline"],
            "documents": p["documents"],
            "fee": p["fee"],
            "online": p["online"],
            "online_note": p["online_note"],
            "keywords": p["keywords"],
            "life_events": p["life_events"],
            "sort_order": sort_order,
            "retention_years": p["retention_years"],
        },
    )
    definition = loaded["form"]
    form, created = FormDefinition.objects.get_or_create(
        slug=p["slug"],
        defaults={
            "procedure": procedure,
            "department": department,
            "title": definition["title"],
            "draft": definition,
        },
    )
    if created:
        FormRevision.objects.create(
            form=form, number=1, definition=definition, summary="緑ヶ丘市のデモ（郵送請求）"
        )
    if form.live_version is None:
        publish(form, definition)
    schedule, _created = FeeSchedule.objects.update_or_create(
        procedure=procedure,
        defaults={
            "per_copy": PER_COPY,
            "postage": POSTAGE,
            "charged": Charged.AFTER_REVIEW,
            "provider": "demo",
        },
    )
    FeeExemption.objects.update_or_create(
        schedule=schedule, code="seikatsu-hogo", defaults={"label": WELFARE, "covers_postage": True}
    )
    issuance_services.ensure_default_templates([procedure])
    PostalCertificate.objects.update_or_create(
        procedure=procedure, defaults={"kind": CertificateKind.RESIDENCE}
    )
    return {"postal_procedures": 1}
