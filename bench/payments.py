#!/usr/bin/env python3
"""Payment notifications benchmark: 1,000 signed notifications for 500 payments at once.

Run with no arguments (``.venv/bin/python bench/payments.py``; DATABASE_URL picks the
database). It starts the demo server (bench/submit.py's Server), creates 500 applications
with a pending payment each through the demo provider (not timed), has the provider's side
settle them (400 paid at once, 100 failed first and then paid), and then, with the same
concurrent clients on the same server, measures:

* floor:  ``POST /bench/floor/`` (bench/submit.py's floor);
* notify: 1,000 ``POST /payments/notify/demo/``, each signed as the demo provider signs
  (HMAC-SHA256 over ``t.body``, the server's secret): one per payment, 300 duplicates and
  the 100 stale "failed" notifications of the payments that failed first, all shuffled (so
  many arrive after the later "paid" one, or together with their duplicate).

It prints ``payments paid:`` (must be 500), ``double charges:`` (payments with more than one
change into paid, or applications with more than one paid payment; must be 0), ``notify p99
ms:`` and ``ratio:`` (notifications/s ÷ floor requests/s) last. See bench/README.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# submit first: it re-runs this script under the project's virtualenv when httpx is missing.
import submit
from submit import (
    Server,
    env_int,
    floor_phase,
    make_clients,
    print_client_share,
    run_phase,
    run_with_server,
    spread,
)

# isort: split
import httpx

PAYMENTS = env_int("BENCH_PAYMENTS", 500)
FAILED_FIRST = env_int("BENCH_FAILED_FIRST", 100)
NOTIFICATIONS = env_int("BENCH_NOTIFICATIONS", 1000)
CLIENTS = env_int("BENCH_NOTIFY_CLIENTS", 200)
FLOOR_REQUESTS = env_int("BENCH_FLOOR_REQUESTS", 1000)

# Applications, fee, payments and the demo provider's charges, made through the ORM in the
# server's database (setup, not timed). The charges are settled on the provider's side; the
# city learns of it only from the notifications.
CREATE_PAYMENTS = """
import json, os, uuid
from django.db import transaction
from django.test import RequestFactory
from madoguchi.applications.models import Application
from madoguchi.forms.models import FormDefinition
from madoguchi.payments import services
from madoguchi.payments.models import Charged, DemoCharge, FeeSchedule, Payment
from madoguchi.payments.plugins import payment_providers

count, failed_first = int(os.environ["BENCH_PAYMENTS"]), int(os.environ["BENCH_FAILED_FIRST"])
form = FormDefinition.objects.select_related("procedure").get(slug="tsugaku-hojo")
version, procedure = form.live_version, form.procedure
FeeSchedule.objects.update_or_create(procedure=procedure, defaults={
    "per_copy": 300, "postage": 110, "charged": Charged.BEFORE_SENDING, "provider": "demo"})
tag = uuid.uuid4().hex[:6]
with transaction.atomic():
    Application.objects.bulk_create([Application(
        submission_token=uuid.uuid4(), form_version=version, procedure=procedure,
        department_id=procedure.department_id, applicant_name=f"支払 {tag}{n}",
        applicant_name_key=f"しはらい{tag}{n}", contact_email=f"pay{tag}{n}@example.jp",
        answers={}) for n in range(count)])
apps = list(Application.objects.filter(applicant_name__startswith=f"支払 {tag}"))
request = RequestFactory().get("/")
demo = payment_providers["demo"]
charges = []
for n, application in enumerate(apps):
    payment = services.create_payment(application, copies=1 + n % 3)
    services.start(request, payment, return_url="http://127.0.0.1/return/")
    payment.refresh_from_db()
    failed = n < failed_first
    if failed:
        demo.decide(payment.provider_payment_id, pay=False)
    stale = json.dumps({"id": f"evt_f{n}", "charge": payment.provider_payment_id,
                        "status": "failed", "created": 0}) if failed else None
    demo.decide(payment.provider_payment_id, pay=True)
    charges.append({"charge": payment.provider_payment_id, "stale": stale})
print("BENCH-RESULT " + json.dumps({"tag": tag, "charges": charges}))
"""

CHECK_PAYMENTS = """
import json, os
from django.db.models import Count, Q
from madoguchi.payments.models import Payment, PaymentEvent

tag = os.environ["BENCH_TAG"]
mine = Payment.objects.filter(application__applicant_name__startswith=f"支払 {tag}")
paid_events = PaymentEvent.objects.filter(payment__in=mine, to_status="paid")
twice = paid_events.values("payment").annotate(n=Count("id")).filter(n__gt=1).count()
per_app = (mine.filter(status__in=["paid", "partially_refunded", "refunded"])
           .values("application").annotate(n=Count("id")).filter(n__gt=1).count())
print("BENCH-RESULT " + json.dumps({
    "paid": mine.filter(status="paid").count(), "payments": mine.count(),
    "changes": PaymentEvent.objects.filter(payment__in=mine).count(),
    "double": twice + per_app,
}))
"""


def demo_secret(server: Server) -> bytes:
    """The demo provider's signing key, as the server derives it from its SECRET_KEY."""
    key = (server.var_dir / "secret_key").read_text().strip()
    return hashlib.sha256(b"madoguchi-demo-payments:" + key.encode()).digest()


def notification(charge: str, n: int) -> bytes:
    return json.dumps({"id": f"evt_{n}", "charge": charge, "status": "paid",
                       "created": int(time.time())}).encode()


def send(client: httpx.Client, item: tuple[bytes, bytes]) -> None:
    body, secret = item
    stamp = int(time.time())
    mac = hmac.new(secret, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    response = client.post("/payments/notify/demo/", content=body, headers={
        "Content-Type": "application/json", "X-Demo-Signature": f"t={stamp},v1={mac}"})
    if response.status_code != 200 or response.text != "ok":
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:80]}")


def measure(server: Server, clients: list[httpx.Client]) -> dict[str, bool]:
    assert server.proc is not None
    made: dict[str, Any] = server.shell(CREATE_PAYMENTS, {
        "BENCH_PAYMENTS": str(PAYMENTS), "BENCH_FAILED_FIRST": str(FAILED_FIRST)})
    secret = demo_secret(server)
    charges = made["charges"]
    items: list[tuple[bytes, bytes]] = [(notification(c["charge"], n), secret)
                                        for n, c in enumerate(charges)]
    items += [(c["stale"].encode(), secret) for c in charges if c["stale"]]
    rng = random.Random(14)
    while len(items) < NOTIFICATIONS:  # duplicates (providers retry)
        n = rng.randrange(len(charges))
        items.append((notification(charges[n]["charge"], n), secret))
    rng.shuffle(items)
    clients.extend(make_clients(server.base_url, CLIENTS))
    floor = floor_phase(server, clients, FLOOR_REQUESTS)
    notify = run_phase("notify", clients, spread(items, CLIENTS), send, server.proc.pid)
    check = server.shell(CHECK_PAYMENTS, {"BENCH_TAG": made["tag"]})
    ratio = notify.per_second / floor.per_second if floor.per_second else 0.0
    print(f"database: {server.db.kind}")
    print(f"clients: {CLIENTS}")
    print(f"load average at start: {server.load_at_start:.2f}")
    print(f"payments: {check['payments']}")
    print(f"notifications: {notify.planned}")
    print(f"notification errors: {notify.errors}")
    print(f"payments paid: {check['paid']}")
    print(f"status changes: {check['changes']}")
    print(f"double charges: {check['double']}")
    print(f"notify seconds: {notify.seconds:.2f}")
    print(f"notify p50 ms: {notify.percentile_ms(50):.1f}")
    print(f"notify p99 ms: {notify.percentile_ms(99):.1f}")
    print(f"notify/s: {notify.per_second:.1f}")
    print(f"floor/s: {floor.per_second:.1f}")
    print(f"floor p99 ms: {floor.percentile_ms(99):.1f}")
    print(f"floor driver: {floor.driver}")
    print_client_share(notify, floor)
    print(f"ratio: {ratio:.2f}", flush=True)
    return {
        f"payments paid {check['paid']} != {PAYMENTS}": check["paid"] == PAYMENTS,
        "double charges": check["double"] == 0,
        "one status change per payment": check["changes"] == PAYMENTS,
        "notification errors": notify.errors == 0,
        "floor errors": floor.errors == 0,
    }


def main() -> int:
    return run_with_server(measure)


if __name__ == "__main__":
    submit.run_script(main)
