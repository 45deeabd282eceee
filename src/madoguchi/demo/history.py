"""A year of generated history for the demo city, so the effect dashboard shows real trends.

Applications per channel (online and LINE growing, paper shrinking), each decided some days
later (some returned for correction first), reservations online and by phone, chat questions
(answered, unanswered, escalated to an inquiry) and a few counter visits; then the dashboard's
roll-ups of every day of it. Written with bulk inserts: the history of a year loads in seconds.
Only ``make demo`` loads it (``load_demo_cases``); tests load a few weeks where they need it.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from madoguchi.applications.models import Application, Status, StatusEvent
from madoguchi.bpr.rollup_services import roll_up_days
from madoguchi.catalog.models import Procedure
from madoguchi.core.models import User
from madoguchi.counter.models import Visit
from madoguchi.faq.models import ChatQuestion, FaqEntry, Inquiry
from madoguchi.forms.models import FormDefinition
from madoguchi.jp.names import name_search_key
from madoguchi.reservations.models import Booking, Room, Service, Slot
from madoguchi.staff.models import StaffMember

from .accounts import DEMO_RESIDENT_EMAIL

SEED = 2026_04_01
# Procedures with a volume of history, and their applications on an average weekday.
VOLUMES = {"tennyu": 5, "jido-teate": 3, "kodomo-iryohi": 3, "tsugaku-hojo": 2, "juminhyo": 6,
           "inkan": 2, "kokuho-kanyu": 2, "gan-kenshin": 3, "shugaku-enjo": 1, "kazei-shomei": 2}
NAMES = ["緑川 太郎", "青木 春子", "山田 一郎", "佐藤 花子", "髙橋 和子", "伊藤 美咲"]
QUESTIONS = ["転入届に必要なものは", "児童手当はいつ振り込まれますか", "がん検診の予約方法",
             "住民票をコンビニで取れますか", "粗大ごみの出し方", "図書館の開館時間"]


def _share(start: float, end: float, progress: float) -> float:
    return start + (end - start) * progress


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    zone = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=zone) + dt.timedelta(
        minutes=rng.randrange(9 * 60))


@transaction.atomic
def load_demo_history(days: int = 365, today: dt.date | None = None, scale: float = 1.0
                      ) -> dict[str, int]:
    """Generate ``days`` days of history ending yesterday (once: nothing when some exists) and
    roll them up. ``scale`` multiplies the volumes (tests use a small one)."""
    if Application.objects.filter(contact_email__endswith="@history.example.jp").exists():
        return {}
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days)
    rng = random.Random(SEED)
    procedures = {p.slug: p for p in Procedure.objects.filter(slug__in=VOLUMES)}
    fallback = FormDefinition.objects.get(slug="tsugaku-hojo").live_version
    versions = {f.slug: f.live_version for f in FormDefinition.objects.all()}
    clerks = dict(StaffMember.objects.exclude(role=StaffMember.Role.DX)
                  .values_list("department_id", "user_id"))
    now = timezone.now()
    apps: list[Application] = []
    plans: list[tuple[int, list[tuple[str, dt.datetime]]]] = []
    counts = {"history_applications": 0, "history_bookings": 0, "history_questions": 0,
              "history_visits": 0}
    day = first
    while day < today:
        progress = (day - first).days / max(days, 1)
        weekday = day.weekday() < 5
        online = _share(0.30, 0.55, progress)
        line = _share(0.03, 0.12, progress)
        counter = _share(0.07, 0.13, progress)
        for slug, volume in VOLUMES.items():
            procedure = procedures.get(slug)
            if procedure is None:
                continue
            mean = volume * scale * (1.0 if weekday else 0.15) * (1.3 if day.month in (3, 4)
                                                                  else 1.0)
            for _n in range(_poisson(rng, mean)):
                roll = rng.random()
                channel = ("online" if roll < online else "line" if roll < online + line
                           else "counter" if roll < online + line + counter else "paper")
                submitted = _at(day, rng)
                name = rng.choice(NAMES)
                apps.append(Application(
                    public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    submission_token=uuid.UUID(int=rng.getrandbits(128), version=4),
                    form_version=versions.get(procedure.slug) or fallback, procedure=procedure,
                    department_id=procedure.department_id, applicant_name=name,
                    applicant_name_key=name_search_key(name),
                    contact_email=f"h{len(apps)}@history.example.jp", channel=channel,
                    submitted_at=submitted, updated_at=submitted))
                plans.append((len(apps) - 1, _path(rng, submitted, now, channel, progress)))
        day += dt.timedelta(days=1)
    for app_index, path in plans:
        if path:
            apps[app_index].status = path[-1][0]
            apps[app_index].updated_at = path[-1][1]
    Application.objects.bulk_create(apps, batch_size=1000)
    events = []
    for app_index, path in plans:
        app = apps[app_index]
        actor = clerks.get(app.department_id)
        events.append(StatusEvent(application_id=app.pk, to_status=Status.RECEIVED,
                                  at=app.submitted_at))
        previous = Status.RECEIVED
        for status, at in path:
            events.append(StatusEvent(application_id=app.pk, from_status=previous,
                                      to_status=status, actor_id=actor, at=at))
            previous = status
    StatusEvent.objects.bulk_create(events, batch_size=2000)
    counts["history_applications"] = len(apps)
    counts["history_bookings"] = _bookings(rng, first, today, scale)
    counts["history_questions"] = _chat(rng, first, today, scale)
    counts["history_visits"] = _visits(rng, first, today, scale)
    roll_up_days(first, today - dt.timedelta(days=1))
    return counts


def _poisson(rng: random.Random, mean: float) -> int:
    """A small Poisson draw (Knuth), enough for a few per day."""
    limit, k, p = pow(2.718281828, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _path(rng: random.Random, submitted: dt.datetime, now: dt.datetime, channel: str,
          progress: float) -> list[tuple[str, dt.datetime]]:
    """The statuses an application went through after receipt, up to now."""
    at = submitted + dt.timedelta(days=rng.uniform(0.2, 3))
    steps: list[tuple[str, dt.datetime]] = [(Status.UNDER_REVIEW, at)]
    # Paper forms are returned more often; online forms check their answers as they are filled.
    if rng.random() < (0.22 if channel == "paper" else _share(0.14, 0.06, progress)):
        at += dt.timedelta(days=rng.uniform(1, 4))
        steps.append((Status.RETURNED, at))
        at += dt.timedelta(days=rng.uniform(1, 7))
        steps.append((Status.UNDER_REVIEW, at))
    lead = rng.uniform(2, 12) * (1.6 if channel == "paper" else _share(1.3, 0.8, progress))
    at = max(at, submitted + dt.timedelta(days=lead)) + dt.timedelta(hours=rng.uniform(0, 6))
    steps.append((Status.REJECTED if rng.random() < 0.05 else Status.APPROVED, at))
    return [(status, when) for status, when in steps if when < now]


def _bookings(rng: random.Random, first: dt.date, today: dt.date, scale: float) -> int:
    services = list(Service.objects.filter(code__in=["igan", "nyugan", "daicho", "tokutei"]))
    room = Room.objects.filter(venue__code="hoken-center").first()
    if not services or room is None:
        return 0
    slots: list[Slot] = []
    bookings: list[Booking] = []
    day = first
    while day < today:
        progress = (day - first).days / max((today - first).days, 1)
        if day.weekday() < 5:
            for offset, service in enumerate(services):
                n = _poisson(rng, 2.5 * scale)
                if not n:
                    continue
                starts = dt.datetime.combine(day, dt.time(17, offset * 10),
                                             tzinfo=timezone.get_default_timezone())
                slot = Slot(service=service, room=room, starts_at=starts,
                            ends_at=starts + dt.timedelta(minutes=10), capacity=n, booked=n,
                            status=Slot.Status.CLOSED)
                slots.append(slot)
                for _i in range(n):
                    web = rng.random() < _share(0.35, 0.75, progress)
                    bookings.append(Booking(
                        slot=slot, service=service, status=Booking.Status.ATTENDED,
                        family_name="履歴", given_name="予約", phone="", email="",
                        request_token=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                        channel=Booking.Channel.WEB if web else Booking.Channel.PHONE,
                        created_at=_at(day, rng) - dt.timedelta(hours=9)))
        day += dt.timedelta(days=1)
    Slot.objects.bulk_create(slots, batch_size=1000)
    for booking in bookings:
        booking.slot = booking.slot  # the slot's id, known since its bulk insert
    Booking.objects.bulk_create(bookings, batch_size=1000)
    return len(bookings)


def _chat(rng: random.Random, first: dt.date, today: dt.date, scale: float) -> int:
    entries = list(FaqEntry.objects.filter(is_published=True).values_list("pk", flat=True))
    resident = User.objects.filter(email=DEMO_RESIDENT_EMAIL).first()
    departments = dict(FaqEntry.objects.values_list("pk", "department_id"))
    questions: list[ChatQuestion] = []
    day = first
    while day < today:
        progress = (day - first).days / max((today - first).days, 1)
        for _i in range(_poisson(rng, 6 * scale)):
            text = rng.choice(QUESTIONS)
            matched = entries and rng.random() < _share(0.65, 0.85, progress)
            best = rng.choice(entries) if matched else None
            questions.append(ChatQuestion(
                text=text, folded=text, matched=[best] if best else [],
                match_count=1 if best else 0, best_entry_id=best,
                helpful=None if not best else rng.random() > 0.1, resolved=True,
                created_at=_at(day, rng)))
        day += dt.timedelta(days=1)
    ChatQuestion.objects.bulk_create(questions, batch_size=1000)
    if resident is not None:
        inquiries = [
            Inquiry(resident=resident, subject=q.text, status=Inquiry.Status.CLOSED,
                    department_id=departments.get(q.best_entry_id) or _any_department(),
                    chat_question=q, created_at=q.created_at + dt.timedelta(minutes=3),
                    updated_at=q.created_at + dt.timedelta(minutes=3))
            for q in questions if (q.match_count == 0 or q.helpful is False)
            and rng.random() < 0.3]
        Inquiry.objects.bulk_create(inquiries, batch_size=1000)
    return len(questions)


def _any_department() -> int:
    return StaffMember.objects.values_list("department_id", flat=True).order_by("pk").first() or 0


def _visits(rng: random.Random, first: dt.date, today: dt.date, scale: float) -> int:
    clerk = StaffMember.objects.filter(role=StaffMember.Role.COUNTER).select_related("user")
    member = clerk.first()
    if member is None:
        return 0
    visits: list[Visit] = []
    day = max(first, today - dt.timedelta(days=120))  # the counter opened four months ago
    while day < today:
        if day.weekday() < 5:
            for _i in range(_poisson(rng, 3 * scale)):
                opened = _at(day, rng)
                minutes = Decimal(str(round(rng.uniform(12, 40), 1)))
                visits.append(Visit(
                    opened_by=member.user, department_id=member.department_id,
                    state=Visit.State.ENDED, opened_at=opened,
                    ended_at=opened + dt.timedelta(minutes=float(minutes)), minutes=minutes,
                    forms_produced=rng.choice([1, 1, 2, 2, 3]),
                    fields_prefilled=rng.randrange(5, 20), fields_typed=rng.randrange(0, 6)))
        day += dt.timedelta(days=1)
    Visit.objects.bulk_create(visits, batch_size=1000)
    return len(visits)
