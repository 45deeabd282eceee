"""Booking, cancelling, moving and waitlists: every write that touches a seat.

A seat is taken with one conditional ``UPDATE … SET booked = booked + 1 WHERE booked < capacity
AND status = 'open'`` inside a transaction, and the booking row is inserted in the same
transaction. The database decides who gets the last seat (row lock on PostgreSQL, the single
writer of an IMMEDIATE transaction on SQLite), so a seat is never given twice. A double-clicked
form carries the same ``request_token``; its unique constraint turns the second POST into the
first booking. The one-per-fiscal-year rule is a partial unique constraint on ``limit_key``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core import metrics
from madoguchi.core.dates import display_datetime
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.jp.names import name_search_key

from .models import Booking, Service, Slot, WaitlistEntry

if TYPE_CHECKING:
    from madoguchi.core.models import User

# Enqueued by name: the task module calls back into this one.
NOTICE_TASK = "madoguchi.reservations.tasks.send_reservation_notice"


class BookingRefused(Exception):
    """A booking (or change) that the rules do not allow; ``message`` is shown to the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclasses.dataclass(frozen=True)
class Person:
    """The person a seat is for."""

    family_name: str
    given_name: str
    family_kana: str = ""
    given_kana: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    phone: str = ""
    email: str = ""

    def as_fields(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of(cls, obj: Any) -> Person:
        """The person recorded on a booking or waitlist entry."""
        return cls(**{f.name: getattr(obj, f.name) for f in dataclasses.fields(cls)})


# --- Rules (pure functions, tested on their own) ------------------------------------------

def fiscal_year(day: dt.date) -> int:
    """The Japanese fiscal year (年度, April–March) that ``day`` falls in."""
    return day.year if day.month >= 4 else day.year - 1


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age on ``day`` by the Japanese legal rule: one turns a year older at the end of the day
    before the birthday (年齢計算ニ関スル法律), so someone born on 1 April is already a year older
    on 31 March."""
    nxt = day + dt.timedelta(days=1)
    return nxt.year - birth_date.year - ((nxt.month, nxt.day) < (birth_date.month, birth_date.day))


def reference_age(service: Service, birth_date: dt.date, slot_day: dt.date) -> int:
    if service.age_reference == Service.AgeReference.FISCAL_YEAR_END:
        return age_on(birth_date, dt.date(fiscal_year(slot_day) + 1, 3, 31))
    return age_on(birth_date, slot_day)


def person_key(person: Person, user: User | None = None) -> str:
    """Stable key of a person for the once-a-year rule: folded name and birth date."""
    name = name_search_key(person.family_name + person.given_name)
    if person.birth_date:
        return f"{name}|{person.birth_date.isoformat()}"
    if user is not None:
        return f"user:{user.pk}"
    return f"{name}|{name_search_key(person.phone or person.email)}"


def limit_key_for(service: Service, slot: Slot, person: Person, user: User | None) -> str | None:
    if not service.one_per_fiscal_year:
        return None
    day = timezone.localtime(slot.starts_at).date()
    return f"{fiscal_year(day)}:{person_key(person, user)}"[:200]


def check_eligible(service: Service, slot: Slot, person: Person) -> None:
    """Refuse a person the service is not for (age, sex)."""
    day = timezone.localtime(slot.starts_at).date()
    if service.min_age is not None or service.max_age is not None:
        if person.birth_date is None:
            raise BookingRefused("ineligible_age", _("Enter your date of birth."))
        age = reference_age(service, person.birth_date, day)
        if service.min_age is not None and age < service.min_age:
            raise BookingRefused(
                "ineligible_age",
                _("This service is for people aged %(age)s or over.") % {"age": service.min_age},
            )
        if service.max_age is not None and age > service.max_age:
            raise BookingRefused(
                "ineligible_age",
                _("This service is for people aged %(age)s or under.") % {"age": service.max_age},
            )
    if service.sex != Service.SexRule.ANY and person.sex != service.sex:
        if service.sex == Service.SexRule.FEMALE:
            raise BookingRefused("ineligible_sex", _("This service is for women only."))
        raise BookingRefused("ineligible_sex", _("This service is for men only."))


def check_bookable(slot: Slot, *, now: dt.datetime, staff: bool = False) -> None:
    """Refuse a slot that is past, closed, not yet open or (for residents) past its deadline."""
    service = slot.service
    if slot.starts_at <= now:
        raise BookingRefused("past", _("This time has already passed. Choose another time."))
    if slot.status != Slot.Status.OPEN or not service.is_active:
        raise BookingRefused("closed", _("This time is closed. Choose another time."))
    if staff:
        return
    if service.bookings_open_at and now < service.bookings_open_at:
        raise BookingRefused(
            "not_open",
            _("Bookings for this service open on %(when)s.")
            % {"when": display_datetime(service.bookings_open_at)},
        )
    last_day = timezone.localtime(now).date() + dt.timedelta(days=service.bookable_days_ahead)
    if timezone.localtime(slot.starts_at).date() > last_day:
        raise BookingRefused("too_early", _("This time cannot be booked yet."))
    if now > service.change_deadline(slot.starts_at):
        raise BookingRefused(
            "deadline",
            _("Online booking for this time has closed. Please call the venue."),
        )


def is_staff_actor(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_staff_member", False))


def _refuse_full() -> BookingRefused:
    return BookingRefused("full", _("This time is fully booked. Choose another time "
                                    "or join the waiting list."))


def _refuse_limit(service: Service) -> BookingRefused:
    return BookingRefused(
        "limit", _("You already have a booking for %(service)s this fiscal year "
                   "(April to March).") % {"service": service})


def _take_seat(slot: Slot) -> bool:
    """Atomically take one seat of ``slot``; False when it is full or closed."""
    return Slot.objects.filter(
        pk=slot.pk, booked__lt=F("capacity"), status=Slot.Status.OPEN
    ).update(booked=F("booked") + 1) == 1


def _notify(kind: str, **ids: Any) -> None:
    enqueue_with_transaction(NOTICE_TASK, kind=kind, **ids)


# --- Booking -----------------------------------------------------------------------------

def book(slot: Slot, *, person: Person, user: User | None = None, request_token: str,
         channel: str = "web", booked_by: User | None = None, application: Any = None,
         now: dt.datetime | None = None) -> Booking:
    """Book one seat of ``slot`` for ``person``. Idempotent on ``request_token``."""
    now = now or timezone.now()
    if not request_token:
        raise BookingRefused("token", _("The form has expired. Please try again."))
    existing = Booking.objects.filter(request_token=request_token).first()
    if existing is not None:
        return existing
    slot = Slot.objects.select_related("service", "room__venue").get(pk=slot.pk)
    service = slot.service
    staff = booked_by is not None
    if service.requires_account and user is None and not staff:
        raise BookingRefused("account", _("Sign in to book this service."))
    check_bookable(slot, now=now, staff=staff)
    check_eligible(service, slot, person)
    limit_key = limit_key_for(service, slot, person, user)
    if limit_key and Booking.objects.filter(
        service=service, limit_key=limit_key, status__in=Booking.ACTIVE
    ).exists():
        raise _refuse_limit(service)
    try:
        with transaction.atomic():
            if not _take_seat(slot):
                raise _refuse_full()
            booking = Booking.objects.create(
                slot=slot, service=service, user=user, request_token=request_token,
                limit_key=limit_key, channel=channel, booked_by=booked_by,
                application=application, created_at=now, **person.as_fields(),
            )
            _notify("confirmed", booking_id=booking.pk)
            metrics.count_on_commit(metrics.BOOKINGS, channel=str(channel))
    except IntegrityError:
        existing = Booking.objects.filter(request_token=request_token).first()
        if existing is not None:
            return existing
        raise _refuse_limit(service) from None
    booking.slot = Slot.objects.get(pk=slot.pk)
    return booking


def _pass_seat(slot: Slot, *, now: dt.datetime) -> WaitlistEntry | None:
    """A held seat of ``slot`` became free: offer it to the next person waiting, or release it.

    Must run inside a transaction. Returns the entry that got the offer, if any.
    """
    slot = Slot.objects.select_related("service").get(pk=slot.pk)
    if slot.starts_at > now and slot.status == Slot.Status.OPEN:
        hours = dt.timedelta(hours=slot.service.waitlist_offer_hours)
        until = min(now + hours, slot.service.change_deadline(slot.starts_at))
        if until > now:
            for entry in WaitlistEntry.objects.filter(
                slot=slot, status=WaitlistEntry.Status.WAITING
            ).order_by("created_at", "id"):
                taken = WaitlistEntry.objects.filter(
                    pk=entry.pk, status=WaitlistEntry.Status.WAITING
                ).update(status=WaitlistEntry.Status.OFFERED, offered_until=until)
                if taken:
                    _notify("offer", entry_id=entry.pk)
                    return entry
    Slot.objects.filter(pk=slot.pk, booked__gt=0).update(booked=F("booked") - 1)
    return None


def can_change(booking: Booking, *, by: Any = None, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if not booking.is_active or booking.status != Booking.Status.CONFIRMED:
        return False
    if is_staff_actor(by):
        return True
    return now <= booking.service.change_deadline(booking.slot.starts_at)


def cancel(booking: Booking, *, by: Any = None, reason: str = "",
           now: dt.datetime | None = None) -> Booking:
    """Cancel ``booking``; its seat goes to the next person on the waitlist or back to the pool.

    Residents may cancel until the service's deadline; staff (``by`` a staff member) any time.
    Cancelling twice is harmless.
    """
    now = now or timezone.now()
    booking = Booking.objects.select_related("slot", "service").get(pk=booking.pk)
    if booking.status == Booking.Status.CANCELLED:
        return booking
    if booking.status != Booking.Status.CONFIRMED:
        raise BookingRefused("done", _("This booking can no longer be cancelled."))
    if not can_change(booking, by=by, now=now):
        raise BookingRefused(
            "deadline", _("The deadline for changes has passed. Please call the venue."))
    with transaction.atomic():
        changed = Booking.objects.filter(
            pk=booking.pk, status=Booking.Status.CONFIRMED
        ).update(status=Booking.Status.CANCELLED, cancelled_at=now, cancel_reason=reason[:200])
        if changed:
            _pass_seat(booking.slot, now=now)
            _notify("cancelled", booking_id=booking.pk)
    booking.refresh_from_db()
    return booking


def move(booking: Booking, to_slot: Slot, *, by: Any = None,
         now: dt.datetime | None = None) -> Booking:
    """Move ``booking`` to another slot of the same service (take the new seat first)."""
    now = now or timezone.now()
    booking = Booking.objects.select_related("slot", "service").get(pk=booking.pk)
    to_slot = Slot.objects.select_related("service").get(pk=to_slot.pk)
    if to_slot.pk == booking.slot_id:
        return booking
    if to_slot.service_id != booking.service_id:
        raise BookingRefused("service", _("Choose a time for the same service."))
    if not can_change(booking, by=by, now=now):
        raise BookingRefused(
            "deadline", _("The deadline for changes has passed. Please call the venue."))
    staff = is_staff_actor(by)
    check_bookable(to_slot, now=now, staff=staff)
    person = Person.of(booking)
    check_eligible(booking.service, to_slot, person)
    limit_key = limit_key_for(booking.service, to_slot, person, booking.user)
    old_slot = booking.slot
    try:
        with transaction.atomic():
            if not _take_seat(to_slot):
                raise _refuse_full()
            changed = Booking.objects.filter(
                pk=booking.pk, status=Booking.Status.CONFIRMED, slot=old_slot
            ).update(slot=to_slot, limit_key=limit_key, reminder_sent_at=None)
            if not changed:
                raise BookingRefused("done", _("This booking has changed meanwhile. "
                                               "Please reload the page."))
            _pass_seat(old_slot, now=now)
            _notify("moved", booking_id=booking.pk)
    except IntegrityError:
        raise _refuse_limit(booking.service) from None
    booking.refresh_from_db()
    return booking


# --- Waitlist ----------------------------------------------------------------------------

def join_waitlist(slot: Slot, *, person: Person, user: User | None = None,
                  request_token: str, now: dt.datetime | None = None) -> WaitlistEntry:
    """Put ``person`` on the waitlist of a full ``slot``. Idempotent on ``request_token``."""
    now = now or timezone.now()
    existing = WaitlistEntry.objects.filter(request_token=request_token).first()
    if existing is not None:
        return existing
    slot = Slot.objects.select_related("service").get(pk=slot.pk)
    service = slot.service
    if service.requires_account and user is None:
        raise BookingRefused("account", _("Sign in to book this service."))
    check_bookable(slot, now=now)
    check_eligible(service, slot, person)
    if not slot.is_full:
        raise BookingRefused("not_full", _("This time still has free places: book it directly."))
    limit_key = limit_key_for(service, slot, person, user)
    if limit_key and Booking.objects.filter(
        service=service, limit_key=limit_key, status__in=Booking.ACTIVE
    ).exists():
        raise _refuse_limit(service)
    key = person_key(person, user)
    for entry in WaitlistEntry.objects.filter(
        slot=slot, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
    ):
        if person_key(Person.of(entry), entry.user) == key:
            raise BookingRefused("already_waiting",
                                 _("You are already on the waiting list for this time."))
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                slot=slot, user=user, request_token=request_token, created_at=now,
                **person.as_fields(),
            )
            _notify("waitlisted", entry_id=entry.pk)
    except IntegrityError:
        return WaitlistEntry.objects.get(request_token=request_token)
    return entry


def waitlist_position(entry: WaitlistEntry) -> int:
    """1-based place in the queue of a waiting entry (0 when it is no longer waiting)."""
    if entry.status != WaitlistEntry.Status.WAITING:
        return 0
    return WaitlistEntry.objects.filter(
        slot_id=entry.slot_id, status=WaitlistEntry.Status.WAITING,
        created_at__lte=entry.created_at,
    ).exclude(created_at=entry.created_at, id__gt=entry.id).count()


def accept_offer(entry: WaitlistEntry, *, now: dt.datetime | None = None) -> Booking:
    """Turn an offered seat (already held for this entry) into a booking."""
    now = now or timezone.now()
    entry = WaitlistEntry.objects.select_related("slot__service").get(pk=entry.pk)
    if entry.status == WaitlistEntry.Status.ACCEPTED and entry.booking_id:
        return entry.booking
    if entry.status != WaitlistEntry.Status.OFFERED or (
        entry.offered_until and entry.offered_until <= now
    ):
        raise BookingRefused("offer_expired", _("This offer is no longer available."))
    slot = entry.slot
    person = Person.of(entry)
    limit_key = limit_key_for(slot.service, slot, person, entry.user)
    try:
        with transaction.atomic():
            claimed = WaitlistEntry.objects.filter(
                pk=entry.pk, status=WaitlistEntry.Status.OFFERED, offered_until__gt=now
            ).update(status=WaitlistEntry.Status.ACCEPTED)
            if not claimed:
                raise BookingRefused("offer_expired", _("This offer is no longer available."))
            booking = Booking.objects.create(
                slot=slot, service=slot.service, user=entry.user,
                request_token=f"waitlist:{entry.public_id}", limit_key=limit_key,
                channel=Booking.Channel.WEB, created_at=now, **person.as_fields(),
            )
            WaitlistEntry.objects.filter(pk=entry.pk).update(booking=booking)
            _notify("confirmed", booking_id=booking.pk)
            metrics.count_on_commit(metrics.BOOKINGS, channel="waitlist")
    except IntegrityError:
        # Booked the same service elsewhere meanwhile: give the seat to the next person.
        with transaction.atomic():
            if WaitlistEntry.objects.filter(
                pk=entry.pk, status=WaitlistEntry.Status.OFFERED
            ).update(status=WaitlistEntry.Status.WITHDRAWN):
                _pass_seat(slot, now=now)
        raise _refuse_limit(slot.service) from None
    return booking


def decline_offer(entry: WaitlistEntry, *, now: dt.datetime | None = None) -> WaitlistEntry:
    """Leave the waitlist (or decline an offer, which passes the seat on)."""
    now = now or timezone.now()
    with transaction.atomic():
        if WaitlistEntry.objects.filter(
            pk=entry.pk, status=WaitlistEntry.Status.OFFERED
        ).update(status=WaitlistEntry.Status.WITHDRAWN):
            _pass_seat(entry.slot, now=now)
        else:
            WaitlistEntry.objects.filter(
                pk=entry.pk, status=WaitlistEntry.Status.WAITING
            ).update(status=WaitlistEntry.Status.WITHDRAWN)
    entry.refresh_from_db()
    return entry


def expire_offers(now: dt.datetime | None = None) -> int:
    """Expire offers whose time ran out and pass each seat to the next person. Returns count."""
    now = now or timezone.now()
    count = 0
    for entry in WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offered_until__lte=now
    ).select_related("slot"):
        with transaction.atomic():
            if WaitlistEntry.objects.filter(
                pk=entry.pk, status=WaitlistEntry.Status.OFFERED
            ).update(status=WaitlistEntry.Status.EXPIRED):
                _pass_seat(entry.slot, now=now)
                count += 1
    return count


# --- Reminders ---------------------------------------------------------------------------

def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Send each confirmed booking its reminder once, when due. Returns how many were sent."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=max(
        [s.reminder_days_before for s in Service.objects.all()] or [1]) + 2)
    sent = 0
    for booking in Booking.objects.filter(
        status=Booking.Status.CONFIRMED, reminder_sent_at__isnull=True,
        slot__starts_at__gt=now, slot__starts_at__lte=horizon,
    ).select_related("slot", "service"):
        if booking.service.reminder_due_at(booking.slot.starts_at) > now:
            continue
        with transaction.atomic():
            if Booking.objects.filter(pk=booking.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                _notify("reminder", booking_id=booking.pk)
                sent += 1
    return sent


def purge_past_bookings(before: dt.datetime) -> dict[tuple[str, dt.date], int]:
    """Delete bookings and waitlist entries of sessions that ended before ``before`` (their
    保存期間 is over). Returns how many bookings per service code and month of the session,
    for the anonymised tally; the slots and their seat counts stay."""
    counts: dict[tuple[str, dt.date], int] = {}
    with transaction.atomic():
        bookings = Booking.objects.filter(slot__ends_at__lt=before)
        for code, starts_at in bookings.values_list("service__code", "slot__starts_at"):
            local = timezone.localtime(starts_at)
            key = (code, dt.date(local.year, local.month, 1))
            counts[key] = counts.get(key, 0) + 1
        WaitlistEntry.objects.filter(slot__ends_at__lt=before).delete()
        bookings.delete()
    return counts


def forget_user(user: Any, *, now: dt.datetime | None = None) -> int:
    """A resident deleted their account: free the seats of their upcoming bookings and of
    seats offered to them (to the next person waiting, or back to the pool), then delete all
    their bookings and waitlist entries. Returns how many bookings were deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        upcoming = Booking.objects.filter(user=user, status=Booking.Status.CONFIRMED,
                                          slot__starts_at__gt=now).select_related("slot")
        offered = WaitlistEntry.objects.filter(user=user, status=WaitlistEntry.Status.OFFERED,
                                               slot__starts_at__gt=now).select_related("slot")
        held = [b.slot for b in upcoming] + [e.slot for e in offered]
        # Not waiting any more: the seat is not offered back to this person.
        WaitlistEntry.objects.filter(user=user).delete()
        _total, by_model = Booking.objects.filter(user=user).delete()
        for slot in held:
            _pass_seat(slot, now=now)
    return by_model.get(Booking._meta.label, 0)
