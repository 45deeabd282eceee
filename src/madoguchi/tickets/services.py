"""Writes for tickets: issuing a number, and the clerk's actions at the counter.

Every action runs in one transaction, checks the ticket's state and the clerk's department,
and is audit-logged. A refused action raises :class:`TicketRefused` with a message for the
clerk (or visitor); a ticket the clerk may not see raises ``Ticket.DoesNotExist``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core import audit
from madoguchi.core.client_address import real_client_ip
from madoguchi.core.models import User
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.staff.models import Department, StaffMember

from . import display, selectors
from .models import QUEUED, Counter, DailySequence, Purpose, Ticket
from .tasks import send_near_notice

State = Ticket.State

ONLINE_PER_HOUR = 5  # online tickets one address may take in an hour (TICKETS_ONLINE_PER_HOUR)
NOTIFY_AHEAD = 3  # notify a ticket this many places from the front (TICKETS_NOTIFY_AHEAD)
CALL_ATTEMPTS = 5  # 'call next' retries when another clerk took the same ticket first


class TicketRefused(Exception):
    """An action that the ticket's state (or a limit) does not allow; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, f"TICKETS_{name}", default))


# -- Issuing -------------------------------------------------------------------------------------


def next_number(purpose_id: int, day: dt.date) -> int:
    """The next number of the purpose on ``day``: one atomic upsert … RETURNING.

    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite ≥ 3.35, PostgreSQL) creates the day's
    row or bumps it in one statement, so two kiosks never get the same number.
    """
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    purpose_col = connection.ops.quote_name(DailySequence._meta.get_field("purpose").column)
    day_col = connection.ops.quote_name(DailySequence._meta.get_field("day").column)
    issued = connection.ops.quote_name(DailySequence._meta.get_field("issued").column)
    # Identifiers come from the model and are quoted; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({purpose_col}, {day_col}, {issued}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({purpose_col}, {day_col}) DO UPDATE SET {issued} = {table}.{issued} + 1 "
        f"RETURNING {issued}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [purpose_id, connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    return int(row[0])


def client_digest(request: HttpRequest) -> str:
    """A digest of the client's address (for the online rate limit), or "" when unknown."""
    address = real_client_ip(request)
    if not address:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def issue(purpose: Purpose, *, channel: str, resident: User | None = None, email: str = "",
          digest: str = "", now: dt.datetime | None = None) -> Ticket:
    """A new ticket for ``purpose``, numbered after the day's last one."""
    if not purpose.active:
        raise TicketRefused(_("This purpose does not take tickets now."))
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        number = next_number(purpose.pk, day)
        ticket = Ticket.objects.create(
            purpose=purpose, day=day, number=number, issued_at=now, channel=channel,
            department_id=purpose.department_id, resident=resident, email=email,
            client_digest=digest,
        )
    display.forget()
    return ticket


def issue_online(request: HttpRequest, purpose: Purpose, *, email: str = "",
                 now: dt.datetime | None = None) -> Ticket:
    """An online ticket (整理券), within the per-address hourly limit."""
    now = now or timezone.now()
    digest = client_digest(request)
    if digest:
        recent = Ticket.objects.filter(
            channel=Ticket.Channel.ONLINE, client_digest=digest,
            issued_at__gte=now - dt.timedelta(hours=1),
        ).count()
        if recent >= _setting("ONLINE_PER_HOUR", ONLINE_PER_HOUR):
            raise TicketRefused(_("Too many tickets were taken from this connection. "
                                  "Please take one at the kiosk in the city hall."))
    user = request.user if request.user.is_authenticated and getattr(
        request.user, "is_resident", False) else None
    ticket = issue(purpose, channel=Ticket.Channel.ONLINE, resident=user, email=email,
                   digest=digest, now=now)
    audit.record(request, "ticket.issued.online", target_type="ticket",
                 target_id=str(ticket.pk), details={"purpose": purpose.code})
    return ticket


# -- The clerk's actions -------------------------------------------------------------------------


def _locked(ticket_id: int, staff: StaffMember) -> Ticket:
    """The ticket, locked, if the clerk's department handles it (else DoesNotExist)."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("purpose")
        .get(pk=ticket_id, department_id=staff.department_id)
    )


def _require(ticket: Ticket, *states: str) -> None:
    if ticket.state not in states:
        raise TicketRefused(
            _("Ticket %(number)s is %(state)s: this action is not possible now.")
            % {"number": ticket.label, "state": ticket.get_state_display()}
        )


def _log(request: HttpRequest, action: str, ticket: Ticket, **details: object) -> None:
    audit.record(request, f"ticket.{action}", target_type="ticket", target_id=str(ticket.pk),
                 details={"number": ticket.label, **details})


def queue_for(counter: Counter, department_id: int, day: dt.date) -> list[Ticket]:
    """The tickets a clerk of ``department_id`` at ``counter`` would call, in calling order.

    Transferred tickets come first (their holders have waited already), then oldest first.
    """
    return list(_queue(counter, department_id, day).select_related("purpose"))


def _queue(counter: Counter, department_id: int, day: dt.date):  # type: ignore[no-untyped-def]
    return (
        Ticket.objects.filter(day=day, state__in=QUEUED)
        .filter(Q(target_counter=counter) | Q(target_counter__isnull=True,
                                                department_id=department_id))
        .annotate(priority=Case(When(state=State.TRANSFERRED, then=Value(0)),
                                default=Value(1), output_field=IntegerField()))
        .order_by("priority", "issued_at", "id")
    )


def call_next(request: HttpRequest, staff: StaffMember, counter: Counter,
              now: dt.datetime | None = None) -> Ticket | None:
    """Call the next ticket of the clerk's department (or transferred to this counter).

    Two clerks pressing at once get two different tickets: the row is taken with
    ``SKIP LOCKED`` where the database has it, and the update only succeeds while the ticket is
    still queued (else the next one is tried).
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    skip = connection.features.has_select_for_update_skip_locked
    for _attempt in range(CALL_ATTEMPTS):
        with transaction.atomic():
            queue = _queue(counter, staff.department_id, day)
            if skip:
                queue = queue.select_for_update(skip_locked=True, of=("self",))
            candidate = queue.first()
            if candidate is None:
                return None
            taken = Ticket.objects.filter(pk=candidate.pk, state__in=QUEUED).update(
                state=State.CALLED, counter=counter, served_by=staff.user, called_at=now,
                target_counter=None)
            if not taken:
                continue
            ticket = Ticket.objects.select_related("purpose", "counter").get(pk=candidate.pk)
            _log(request, "called", ticket, counter=counter.number)
            notify_upcoming(ticket.department_id, day)
        display.forget()
        return ticket
    return None


@contextmanager
def _acting_on(staff: StaffMember, ticket_id: int, *states: str) -> Iterator[Ticket]:
    """The clerk's ticket, locked and in one of ``states``, for one change in a transaction.

    The display is refreshed once the change is committed (not when the block raises).
    """
    with transaction.atomic():
        ticket = _locked(ticket_id, staff)
        _require(ticket, *states)
        yield ticket
    display.forget()


def _move(request: HttpRequest, staff: StaffMember, ticket_id: int, source: str, event: str,
          **changes: object) -> Ticket:
    """Set ``changes`` on a ticket in state ``source`` and log ``event``."""
    with _acting_on(staff, ticket_id, source) as ticket:
        for field, value in changes.items():
            setattr(ticket, field, value)
        ticket.save(update_fields=list(changes))
        _log(request, event, ticket)
    return ticket


def recall(request: HttpRequest, staff: StaffMember, ticket_id: int,
           now: dt.datetime | None = None) -> Ticket:
    """Call a called ticket again (it shows on the display again)."""
    with _acting_on(staff, ticket_id, State.CALLED) as ticket:
        ticket.recall_count += 1
        ticket.called_at = now or timezone.now()
        ticket.save(update_fields=["recall_count", "called_at"])
        _log(request, "recalled", ticket, recalls=ticket.recall_count)
    return ticket


def mark_absent(request: HttpRequest, staff: StaffMember, ticket_id: int,
                now: dt.datetime | None = None) -> Ticket:
    """The holder of a called ticket did not come."""
    return _move(request, staff, ticket_id, State.CALLED, "absent",
                 state=State.ABSENT, ended_at=now or timezone.now())


def start(request: HttpRequest, staff: StaffMember, ticket_id: int,
          now: dt.datetime | None = None) -> Ticket:
    """The holder came to the counter: service starts."""
    return _move(request, staff, ticket_id, State.CALLED, "serving",
                 state=State.SERVING, started_at=now or timezone.now(), served_by=staff.user)


def finish(request: HttpRequest, staff: StaffMember, ticket_id: int,
           now: dt.datetime | None = None) -> Ticket:
    """Service is over (its duration feeds the estimated waits)."""
    return _move(request, staff, ticket_id, State.SERVING, "done",
                 state=State.DONE, ended_at=now or timezone.now())


def transfer(request: HttpRequest, staff: StaffMember, ticket_id: int, *,
             counter: Counter | None = None, department: Department | None = None) -> Ticket:
    """Send a called or served ticket to another counter or department; it queues again first.

    The holder keeps the number. A transfer to a counter is called only by that counter; a
    transfer to a department by any of its counters.
    """
    if (counter is None) == (department is None):
        raise TicketRefused(_("Choose either a counter or a department to transfer to."))
    with _acting_on(staff, ticket_id, State.CALLED, State.SERVING) as ticket:
        if counter is not None and ticket.counter_id == counter.pk:
            raise TicketRefused(_("The ticket is already at this counter."))
        ticket.state = State.TRANSFERRED
        ticket.transfer_count += 1
        ticket.target_counter = counter
        if counter is not None and counter.department_id is not None:
            ticket.department_id = counter.department_id
        if department is not None:
            ticket.department = department
        ticket.counter = None
        ticket.served_by = None
        ticket.called_at = None
        ticket.started_at = None
        ticket.save(update_fields=["state", "transfer_count", "target_counter", "department",
                                   "counter", "served_by", "called_at", "started_at"])
        _log(request, "transferred", ticket,
             counter=counter.number if counter else None,
             department=department.code if department else None)
    return ticket


# -- Notices -------------------------------------------------------------------------------------


def notify_upcoming(department_id: int, day: dt.date) -> int:
    """Notice to the holders now a few places from the front (once each), after the commit."""
    ahead = _setting("NOTIFY_AHEAD", NOTIFY_AHEAD)
    front = selectors.department_queue(department_id, day)[:ahead]
    due = [t.pk for t in front if t.notified_at is None and (t.resident_id or t.email)]
    if due:
        Ticket.objects.filter(pk__in=due).update(notified_at=timezone.now())
        for pk in due:
            enqueue_with_transaction(send_near_notice, ticket_id=pk)
    return len(due)
