"""``manage.py create_demo_signing_ca``: the demo city's signing key and certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from madoguchi.issuance.signing import DEMO_CITY, create_demo_ca


class Command(BaseCommand):
    help = (
        "Create (once) a demo root CA and a city signing certificate (CN 緑ヶ丘市長) as "
        "PKCS#12 under VAR_DIR/signing/. Demo and development only."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--directory", default=str(Path(settings.VAR_DIR) / "signing"))
        parser.add_argument("--city", default=DEMO_CITY)

    def handle(self, *args: Any, **options: Any) -> None:
        path = create_demo_ca(Path(options["directory"]), city=options["city"],
                              password=settings.SIGNING_PKCS12_PASSWORD)
        if options["verbosity"] > 0:
            self.stdout.write(f"Demo signing key and certificate: {path}")
