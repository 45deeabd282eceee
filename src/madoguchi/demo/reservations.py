"""Demo data of the reservations app (called by ``load_demo_city``; must be idempotent)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.conf import settings
from django.utils import timezone

from madoguchi.catalog.models import Procedure
from madoguchi.core.models import User
from madoguchi.reservations import services, tasks
from madoguchi.reservations.calendar import generate_slots
from madoguchi.reservations.models import Room, Service, Slot, SlotTemplate, Venue
from madoguchi.staff.models import Department

DAYS_AHEAD = 92

VENUES = [
    {"code": "hoken-center",
     "name": {"ja": "緑ヶ丘市保健センター", "en": "Midorigaoka Health Centre"},
     "address": {"ja": "緑ヶ丘市中央2丁目3番1号", "en": "2-3-1 Chuo, Midorigaoka"},
     "access": {"ja": "緑ヶ丘駅から徒歩8分。駐車場40台。",
                "en": "8 minutes' walk from Midorigaoka Station. Car park for 40 cars."},
     "phone": "0123-45-6781",
     "rooms": [("kenshin", {"ja": "検診室", "en": "Screening room"}),
               ("sodan", {"ja": "相談室", "en": "Consultation room"})]},
    {"code": "kita-kominkan", "name": {"ja": "北地区公民館", "en": "North District Community Hall"},
     "address": {"ja": "緑ヶ丘市北山1丁目10番地", "en": "1-10 Kitayama, Midorigaoka"},
     "access": {"ja": "市営バス「北山」下車すぐ。", "en": "Next to the Kitayama city bus stop."},
     "phone": "0123-45-6801",
     "rooms": [("hall", {"ja": "大会議室", "en": "Main hall"})]},
    {"code": "minami-kominkan",
     "name": {"ja": "南地区公民館", "en": "South District Community Hall"},
     "address": {"ja": "緑ヶ丘市南町4丁目2番5号", "en": "4-2-5 Minamimachi, Midorigaoka"},
     "access": {"ja": "南町駅から徒歩5分。検診車は駐車場に停まります。",
                "en": "5 minutes' walk from Minamimachi Station. The screening bus parks in the "
                      "car park."},
     "phone": "0123-45-6802",
     "rooms": [("hall", {"ja": "多目的ホール", "en": "Multi-purpose hall"}),
               ("bus", {"ja": "検診車", "en": "Screening bus"})]},
]

SERVICES = [
    {"code": "igan", "procedure": "gan-kenshin",
     "name": {"ja": "胃がん検診", "en": "Stomach cancer screening"},
     "description": {"ja": "バリウムによるX線検査です。前日の夜9時以降は食事をしないでください。"
                           "自己負担1,000円。",
                     "en": "Barium X-ray. Do not eat after 9 p.m. the day before. Fee ¥1,000."},
     "duration_minutes": 30, "capacity": 6, "min_age": 40, "one_per_fiscal_year": True},
    {"code": "nyugan", "procedure": "gan-kenshin",
     "name": {"ja": "乳がん検診", "en": "Breast cancer screening"},
     "description": {"ja": "マンモグラフィ検査です。自己負担1,500円。",
                     "en": "Mammography. Fee ¥1,500."},
     "duration_minutes": 20, "capacity": 3, "min_age": 40, "sex": "female",
     "one_per_fiscal_year": True},
    {"code": "daicho", "procedure": "gan-kenshin",
     "name": {"ja": "大腸がん検診", "en": "Bowel cancer screening"},
     "description": {"ja": "検査キットをお渡しし、説明します。自己負担500円。",
                     "en": "We give you a test kit and explain it. Fee ¥500."},
     "duration_minutes": 30, "capacity": 10, "min_age": 40, "one_per_fiscal_year": True},
    {"code": "tokutei", "procedure": None,
     "name": {"ja": "特定健診", "en": "Specific health check-up"},
     "description": {"ja": "緑ヶ丘市国民健康保険に加入している40〜74歳の方が対象です。"
                           "受診券をお持ちください。",
                     "en": "For people aged 40 to 74 in the city's National Health Insurance. "
                           "Bring your check-up ticket."},
     "duration_minutes": 30, "capacity": 8, "min_age": 40, "max_age": 74,
     "one_per_fiscal_year": True},
    {"code": "kenko-sodan", "procedure": None,
     "name": {"ja": "健康相談", "en": "Health consultation"},
     "description": {"ja": "保健師・栄養士が健康や食事の相談に応じます。無料。",
                     "en": "A public health nurse or dietitian answers your questions. Free."},
     "duration_minutes": 30, "capacity": 1, "age_reference": "slot_date",
     "waitlist_offer_hours": 12},
]

# (service, venue, room, weekdays, start, end)
TEMPLATES = [
    ("igan", "hoken-center", "kenshin", [1, 3], "09:00", "11:00"),
    ("igan", "minami-kominkan", "bus", [5], "09:00", "11:00"),
    ("nyugan", "hoken-center", "kenshin", [2], "13:30", "16:10"),
    ("daicho", "kita-kominkan", "hall", [3], "09:30", "11:30"),
    ("daicho", "minami-kominkan", "hall", [1], "13:30", "15:30"),
    ("tokutei", "hoken-center", "kenshin", [0, 4], "09:00", "11:30"),
    ("tokutei", "kita-kominkan", "hall", [5], "09:00", "11:00"),
    ("kenko-sodan", "hoken-center", "sodan", [0, 1, 2, 3, 4], "13:30", "16:30"),
]

PEOPLE = [
    ("緑川", "太郎", "ミドリカワ", "タロウ", dt.date(1975, 6, 12), "male", "09011112222",
     "taro@example.jp"),
    ("青木", "春子", "アオキ", "ハルコ", dt.date(1968, 4, 1), "female", "09022223333",
     "haruko@example.jp"),
    ("山田", "一郎", "ヤマダ", "イチロウ", dt.date(1958, 11, 3), "male", "08033334444",
     "ichiro@example.jp"),
    ("佐藤", "花子", "サトウ", "ハナコ", dt.date(1980, 2, 29), "female", "07044445555",
     "hanako.sato@example.jp"),
]


ROSTER_PEOPLE = [
    ("高橋", "和子", "タカハシ", "カズコ", dt.date(1957, 8, 20), "female", "0199234567", ""),
    ("髙田", "誠", "タカダ", "マコト", dt.date(1962, 1, 15), "male", "09055556666", ""),
    ("伊藤", "美咲", "イトウ", "ミサキ", dt.date(1979, 12, 3), "female", "08066667777",
     "misaki@example.jp"),
    ("渡邊", "茂", "ワタナベ", "シゲル", dt.date(1953, 3, 31), "male", "0199345678", ""),
]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def load_demo() -> dict[str, int]:
    """Create or update the demo rows. Returns counts for the summary line."""
    department = Department.objects.filter(code="kenko").first()
    if department is None:
        return {}
    rooms = {}
    for v in VENUES:
        venue, _ = Venue.objects.update_or_create(
            code=v["code"], defaults={"department": department, "name": v["name"],
                                      "address": v["address"], "access": v["access"],
                                      "phone": v["phone"]})
        for key, name in v["rooms"]:
            room = Room.objects.filter(venue=venue, name__ja=name["ja"]).first() or (
                Room.objects.create(venue=venue, name=name))
            rooms[(v["code"], key)] = room
    svc = {}
    for s in SERVICES:
        data = dict(s)
        code, procedure = data.pop("code"), data.pop("procedure")
        data["procedure"] = Procedure.objects.filter(slug=procedure).first() if procedure else None
        svc[code], _ = Service.objects.update_or_create(
            code=code, defaults={"department": department, **data})
    today = timezone.localdate()
    valid_from = dt.date(today.year - 1, 4, 1)
    for code, venue, room, weekdays, start, end in TEMPLATES:
        for weekday in weekdays:
            SlotTemplate.objects.get_or_create(
                service=svc[code], room=rooms[(venue, room)], weekday=weekday,
                start_time=_time(start), defaults={"end_time": _time(end),
                                                   "valid_from": valid_from})
    created = sum(generate_slots(s, today, today + dt.timedelta(days=DAYS_AHEAD))
                  for s in svc.values())

    def first_open(service: Service, after_days: int, index: int = 0) -> Slot | None:
        lo = timezone.now() + dt.timedelta(days=after_days)
        return Slot.objects.filter(service=service, starts_at__gte=lo,
                                   status=Slot.Status.OPEN).order_by("starts_at")[index:].first()

    people = [services.Person(*p) for p in PEOPLE]
    resident = User.objects.filter(email="taro@example.jp").first()
    bookings = 0
    plan = [("tokutei", 10, 0, people[0], resident), ("igan", 12, 0, people[1], None),
            ("nyugan", 14, 0, people[3], None), ("daicho", 9, 1, people[2], None),
            ("kenko-sodan", 8, 0, people[1], None)]
    for n, (code, days, index, person, user) in enumerate(plan, start=1):
        slot = first_open(svc[code], days, index)
        token = f"demo-booking-{n}"
        if slot is None:
            continue
        try:
            services.book(slot, person=person, user=user, request_token=token)
            bookings += 1
        except services.BookingRefused:
            pass
    # The roster's next working day: people who phoned in (the clerk checks them in). Only in
    # the demo itself: tests build their own days.
    clerk = User.objects.filter(email="kenko1@city.midorigaoka.example").first()
    day_slot = first_open(svc["tokutei"], 0) if settings.DEMO else None
    if day_slot is not None:
        day = timezone.localtime(day_slot.starts_at).date()
        slots = list(Slot.objects.filter(service=svc["tokutei"], starts_at__date=day,
                                         starts_at__gt=timezone.now(),
                                         status=Slot.Status.OPEN).order_by("starts_at")[:3])
        for n, person in enumerate(ROSTER_PEOPLE):
            if not slots:
                break
            try:
                services.book(slots[n % len(slots)], person=services.Person(*person),
                              request_token=f"demo-roster-{n}", channel="phone",
                              booked_by=clerk)
                bookings += 1
            except services.BookingRefused:
                pass
    # The 健康相談 slot above is now full: someone waits for it.
    full = Slot.objects.filter(service=svc["kenko-sodan"], booked__gte=1,
                               starts_at__gt=timezone.now()).order_by("starts_at").first()
    if full is not None and full.is_full:
        with contextlib.suppress(services.BookingRefused):
            services.join_waitlist(full, person=people[2], request_token="demo-waitlist-1")  # noqa: S106
    tasks.start_clock()
    return {"reservation slots": created, "bookings": bookings}
