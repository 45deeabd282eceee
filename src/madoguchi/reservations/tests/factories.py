"""Small builders for the reservation tests (own codes, so the demo rows never interfere)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from django.utils import timezone

from madoguchi.reservations.models import Room, Service, Slot, Venue
from madoguchi.reservations.services import Person
from madoguchi.staff.models import Department

_seq = itertools.count(1)


def department() -> Department:
    return Department.objects.get(code="kenko")


def venue(**kw) -> Venue:
    n = next(_seq)
    return Venue.objects.create(code=f"t-venue-{n}-{uuid.uuid4().hex[:6]}",
                                department=kw.pop("department", None) or department(),
                                name={"ja": f"テスト会場{n}", "en": f"Test venue {n}"}, **kw)


def room(v: Venue | None = None) -> Room:
    return Room.objects.create(venue=v or venue(), name={"ja": "第1会議室", "en": "Room 1"})


def service(**kw) -> Service:
    n = next(_seq)
    defaults = {"code": f"t-svc-{n}-{uuid.uuid4().hex[:6]}", "department": department(),
                "name": {"ja": f"テスト検診{n}", "en": f"Test screening {n}"},
                "duration_minutes": 30, "capacity": 3}
    defaults.update(kw)
    return Service.objects.create(**defaults)


def slot(svc: Service | None = None, *, days: int = 10, hour: int = 10, capacity: int = 3,
         r: Room | None = None, **kw) -> Slot:
    svc = svc or service()
    day = timezone.localdate() + dt.timedelta(days=days)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    return Slot.objects.create(service=svc, room=r or room(), starts_at=starts,
                               ends_at=starts + dt.timedelta(minutes=svc.duration_minutes),
                               capacity=capacity, **kw)


def person(n: int = 0, **kw) -> Person:
    defaults = {"family_name": "緑川", "given_name": f"花子{n}", "family_kana": "ミドリカワ",
                "given_kana": "ハナコ", "birth_date": dt.date(1970, 5, 1) + dt.timedelta(days=n),
                "sex": "female", "phone": "0901234567", "email": f"hanako{n}@example.jp"}
    defaults.update(kw)
    return Person(**defaults)


def token() -> str:
    return uuid.uuid4().hex
