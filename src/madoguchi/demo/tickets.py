"""The demo city's ticket purposes, counters 1–6 and a few waiting tickets (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from madoguchi.catalog.models import City
from madoguchi.staff.models import Department
from madoguchi.tickets import services
from madoguchi.tickets.models import Counter, Purpose, Ticket

# code, prefix, name, department, assumed minutes per visitor
PURPOSES = [
    ("ido", "A", {"ja": "転入・転居・転出", "en": "Moving in, within or out"}, "shimin", 15),
    ("shussei", "B", {"ja": "出生", "en": "Birth registration"}, "shimin", 12),
    ("shomei", "C", {"ja": "証明書", "en": "Certificates"}, "shimin", 5),
    ("kosodate", "D", {"ja": "子育て", "en": "Child-rearing"}, "kosodate", 12),
    ("kokuho", "E", {"ja": "国保・年金", "en": "Health insurance and pension"}, "shimin", 10),
    ("sonota", "F", {"ja": "その他", "en": "Other"}, "shimin", 8),
]

# number, department of the counter
COUNTERS = [(1, "shimin"), (2, "shimin"), (3, "shimin"), (4, "shimin"), (5, "kosodate"),
            (6, "kosodate")]

# Tickets waiting when the demo starts: purpose code and minutes ago.
WAITING = [("ido", 12), ("shomei", 9), ("ido", 6), ("kosodate", 4), ("shomei", 2)]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create or update the purposes and counters; seed waiting tickets once a day."""
    city = City.objects.first()
    departments = {d.code: d for d in Department.objects.all()}
    if city is None or not {"shimin", "kosodate"} <= set(departments):
        return {}
    purposes = {}
    for order, (code, prefix, name, department, minutes) in enumerate(PURPOSES):
        purposes[code], _ = Purpose.objects.update_or_create(
            city=city, code=code,
            defaults={"prefix": prefix, "name": name, "department": departments[department],
                      "default_minutes": minutes, "sort_order": order, "active": True},
        )
    for number, department in COUNTERS:
        Counter.objects.update_or_create(
            number=number,
            defaults={"name": {"ja": f"{number}番窓口", "en": f"Counter {number}"},
                      "department": departments[department]},
        )
    now = timezone.now()
    seeded = 0
    if not Ticket.objects.filter(day=timezone.localdate(now)).exists():
        for code, minutes in WAITING:
            services.issue(purposes[code], channel=Ticket.Channel.KIOSK,
                           now=now - dt.timedelta(minutes=minutes))
            seeded += 1
    return {"ticket purposes": len(purposes), "ticket counters": len(COUNTERS),
            "waiting tickets": seeded}
