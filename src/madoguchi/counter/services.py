"""Writes of the counter: each step of a visit in one transaction, with its timeline event and
its audit record. Registry look-ups are audited with the visit as their purpose."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from madoguchi.applications.models import Application, Channel
from madoguchi.applications.services import SubmissionRefused, submit_application
from madoguchi.core import audit, crypto
from madoguchi.core.models import User
from madoguchi.registry.plugins import ResidentQuery, ResidentRecord
from madoguchi.staff.models import StaffMember
from madoguchi.tickets import selectors as ticket_selectors
from madoguchi.tickets import services as ticket_services
from madoguchi.tickets.models import Ticket

from . import person, selectors
from .models import PreApplication, Signature, Visit, VisitEvent

Kind = VisitEvent.Kind


class VisitRefused(Exception):
    """The step cannot be taken now (wrong state, not this department's ticket ...)."""


def _event(visit: Visit, kind: str, staff: StaffMember | None, **details: Any) -> VisitEvent:
    return VisitEvent.objects.create(
        visit=visit, kind=kind, actor=staff.user if staff else None,
        department_id=staff.department_id if staff else None, details=details)


def _log(request: HttpRequest, action: str, visit: Visit, **details: Any) -> None:
    audit.record(request, f"counter.{action}", target_type="counter.visit",
                 target_id=str(visit.public_id), details=details)


def record_printed(request: HttpRequest, visit: Visit, document: str) -> None:
    """Audit the printing of a sheet of the visit (it carries personal data)."""
    _log(request, "printed", visit, document=document)


def _store(visit: Visit, values: dict[str, Any]) -> None:
    """Merge ``values`` into the sealed data (inside the caller's transaction)."""
    current = selectors.data(visit)
    current.update(values)
    visit.sealed = crypto.seal(current, context=str(visit.public_id))


def _locked(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().get(pk=visit.pk)


def _require_open(visit: Visit) -> None:
    if visit.state != Visit.State.OPEN:
        raise VisitRefused("the visit was already sent")


def open_visit(request: HttpRequest, staff: StaffMember, *, ticket_id: int | None = None
               ) -> Visit:
    """Open a visit for a called ticket of the clerk's department (its service starts), or for
    a walk-in (no ticket)."""
    ticket: Ticket | None = None
    with transaction.atomic():
        if ticket_id is not None:
            ticket = ticket_selectors.ticket(ticket_id)
            if ticket is None or ticket.department_id != staff.department_id:
                raise VisitRefused("not a ticket of this department")
            if ticket.state == Ticket.State.CALLED:
                ticket = ticket_services.start(request, staff, ticket.pk)
            elif ticket.state != Ticket.State.SERVING:
                raise VisitRefused("the ticket is not called")
        visit = Visit.objects.create(opened_by=staff.user, department_id=staff.department_id,
                                     ticket=ticket)
        if ticket is not None:
            VisitEvent.objects.create(visit=visit, kind=Kind.TICKET, at=ticket.issued_at,
                                      details={"ticket": ticket.label})
            if ticket.called_at is not None:
                VisitEvent.objects.create(visit=visit, kind=Kind.CALL, at=ticket.called_at,
                                          actor=staff.user, department_id=staff.department_id)
        _event(visit, Kind.START, staff, walk_in=ticket is None)
        _log(request, "visit_opened", visit, ticket=ticket.label if ticket else "")
    return visit


def look_up(request: HttpRequest, visit: Visit, query: ResidentQuery) -> list[ResidentRecord]:
    """Find residents through the registry connector, for this visit (audited: who, which
    visit, which kinds of data were asked and how many matched; never the data itself).

    Raises ``ValueError`` for an empty query, ConnectorError when the core system fails and
    LookupError when no connector is enabled.
    """
    found = selectors.connector()
    if found is None:
        raise LookupError("no registry connector is enabled")
    connector_id, connector = found
    asked = sorted(k for k, v in vars(query).items() if v)
    records = connector.find(query)
    _log(request, "registry_lookup", visit, connector=connector_id, purpose="counter visit",
         fields=asked, found=len(records))
    return records


def identify_from_registry(request: HttpRequest, staff: StaffMember, visit: Visit,
                           query: ResidentQuery, record_id: str) -> bool:
    """Take the resident ``record_id`` among the matches of ``query`` (looked up again, so
    only what the registry answered is kept) with their household. False when not found."""
    record = next((r for r in look_up(request, visit, query) if r.record_id == record_id), None)
    if record is None:
        return False
    found = selectors.connector()
    if found is None:  # switched off between the two calls
        raise LookupError("no registry connector is enabled")
    connector_id, connector = found
    household = [m for m in connector.household(record.household_id)
                 if m.record_id != record.record_id]
    _log(request, "registry_household", visit, connector=connector_id, purpose="counter visit",
         found=len(household))
    with transaction.atomic():
        visit = _locked(visit)
        _require_open(visit)
        visit.connector, visit.record_id, visit.identified = connector_id, record_id, True
        _store(visit, {"person": person.from_record(record), "name": record.name,
                       "household": [person.member_summary(m, record) for m in household]})
        visit.save(update_fields=["connector", "record_id", "identified", "sealed"])
        _event(visit, Kind.IDENTIFY, staff, source="registry")
        _log(request, "identified", visit, source="registry")
    return True


def identify_new(request: HttpRequest, staff: StaffMember, visit: Visit,
                 answers: dict[str, Any]) -> None:
    """A new resident (転入 from another city): the data the clerk typed once."""
    values = person.from_typed(answers)
    name = values.get("applicant.name") or {}
    with transaction.atomic():
        visit = _locked(visit)
        _require_open(visit)
        visit.connector, visit.record_id, visit.identified = "", "", True
        _store(visit, {"person": values, "household": [],
                       "name": f"{name.get('family', '')} {name.get('given', '')}".strip()})
        visit.save(update_fields=["connector", "record_id", "identified", "sealed"])
        _event(visit, Kind.IDENTIFY, staff, source="typed")
        _log(request, "identified", visit, source="typed")


def save_plan(request: HttpRequest, staff: StaffMember, visit: Visit,
              events: list[dict[str, Any]], members: Sequence[str],
              typed: Sequence[dict[str, Any]] = ()) -> None:
    """The life events (each with its navigator answers) and household members concerned: those
    of the registry household chosen, then those typed once (``typed``: the clean rows of
    :func:`person.household_field`)."""
    with transaction.atomic():
        visit = _locked(visit)
        _require_open(visit)
        household = selectors.data(visit).get("household", [])
        chosen = [m for m in household if m["record_id"] in set(members)]
        _store(visit, {"plan": {"events": events, "members": [m["record_id"] for m in chosen],
                                "typed": list(typed)},
                       "members": person.member_values([*chosen,
                                                        *person.typed_members(typed)])})
        visit.save(update_fields=["sealed"])
        _event(visit, Kind.PLAN, staff, events=[e["slug"] for e in events],
               members=len(chosen))
        _log(request, "plan", visit, events=[e["slug"] for e in events])


def choose_forms(request: HttpRequest, staff: StaffMember, visit: Visit, slugs: Sequence[str],
                 department_ids: Sequence[int]) -> None:
    """The forms to file at this counter, and the departments the visit concerns."""
    with transaction.atomic():
        visit = _locked(visit)
        _require_open(visit)
        visit.forms = list(dict.fromkeys(slugs))
        visit.tokens = {slug: visit.tokens.get(slug) or str(uuid.uuid4()) for slug in visit.forms}
        visit.pending_departments = [d for d in dict.fromkeys(department_ids)
                                     if d != visit.department_id]
        visit.confirmed_at = None
        visit.save(update_fields=["forms", "tokens", "pending_departments", "confirmed_at"])
        _log(request, "forms_chosen", visit, forms=visit.forms)


def save_interview(request: HttpRequest, staff: StaffMember, visit: Visit,
                   raw: dict[str, Any], answers: dict[str, dict[str, Any]]) -> None:
    """The interview's answers (sealed); the resident confirms them again."""
    with transaction.atomic():
        visit = _locked(visit)
        _require_open(visit)
        _store(visit, {"raw": raw, "answers": answers, "signature": {}})
        visit.confirmed_at = None
        visit.save(update_fields=["sealed", "confirmed_at"])
        _event(visit, Kind.INTERVIEW, staff, forms=sorted(answers))
        _log(request, "interview", visit, forms=sorted(answers))


def confirm(request: HttpRequest, visit: Visit, signature: dict[str, str] | None = None
            ) -> None:
    """The resident confirmed on the screen facing them what will be sent, and signed it when
    a form of the visit needs a signature (``signature``, see :func:`.signature.read`)."""
    with transaction.atomic():
        visit = _locked(visit)
        _require_open(visit)
        if not selectors.data(visit).get("answers"):
            raise VisitRefused("nothing to confirm yet")
        needed = bool(selectors.signing(visit))
        if needed and not signature:
            raise VisitRefused("a signature is needed")
        now = timezone.now()
        if needed and signature:
            _store(visit, {"signature": {**signature, "at": now.isoformat()}})
        visit.confirmed_at = now
        visit.save(update_fields=["confirmed_at", "sealed"])
        _event(visit, Kind.CONFIRM, None)
        if needed and signature:
            _event(visit, Kind.SIGN, None, method=signature["method"])
        _log(request, "confirmed", visit,
             signature=signature["method"] if needed and signature else "")


def send(request: HttpRequest, staff: StaffMember, visit: Visit) -> list[Application]:
    """File every chosen form as one application each, all in one transaction.

    Sending twice files nothing more: the visit is locked and, once sent, the applications
    it made are returned; each form also keeps its own double-submit token. A form that refuses
    its answers (:class:`SubmissionRefused`) leaves no application at all.
    """
    with transaction.atomic():
        visit = _locked(visit)
        if visit.state != Visit.State.OPEN:
            return selectors.applications(visit)
        if visit.confirmed_at is None:
            raise VisitRefused("the resident has not confirmed")
        data = selectors.data(visit)
        answers, signature = data.get("answers", {}), data.get("signature") or {}
        made = []
        for source in selectors.sources(visit):
            if source.spec.needs_signature and not signature:
                raise VisitRefused("the resident has not signed")
            application = submit_application(
                user=None, version=source.version, answers=answers.get(source.slug, {}),
                token=uuid.UUID(visit.tokens[source.slug]), spec=source.spec,
                channel=Channel.COUNTER, actor=staff.user)
            made.append(application)
            if source.spec.needs_signature:
                Signature.objects.create(
                    visit=visit, application=application, method=signature["method"],
                    sealed=crypto.seal({k: signature.get(k, "") for k in ("method", "path",
                                                                         "name")},
                                       context=str(visit.public_id)),
                    signed_at=signature.get("at") or timezone.now())
        if not made:
            raise SubmissionRefused({"__all__": "no form to file"})
        visit.applications = [a.pk for a in made]
        visit.state, visit.sent_at = Visit.State.SENT, timezone.now()
        visit.save(update_fields=["applications", "state", "sent_at"])
        _event(visit, Kind.SEND, staff, receipts=[a.receipt_number for a in made])
        _log(request, "sent", visit, applications=[a.pk for a in made])
    return made


def take_over(request: HttpRequest, staff: StaffMember, visit: Visit) -> None:
    """A clerk of a department still to act takes the visit over at the same seat; the
    department that held it is done."""
    with transaction.atomic():
        visit = _locked(visit)
        if visit.state == Visit.State.ENDED:
            raise VisitRefused("the visit has ended")
        if staff.department_id not in visit.pending_departments:
            raise VisitRefused("this department has nothing left to do")
        previous = visit.department_id
        visit.pending_departments = [d for d in visit.pending_departments
                                     if d not in (staff.department_id, previous)]
        visit.department_id = staff.department_id
        visit.save(update_fields=["department", "pending_departments"])
        _event(visit, Kind.HANDOFF, staff, from_department=previous)
        _log(request, "handoff", visit, from_department=previous,
             to_department=staff.department_id)


def end(request: HttpRequest, staff: StaffMember, visit: Visit) -> None:
    """The visit is over; its ticket's service ends with it."""
    with transaction.atomic():
        visit = _locked(visit)
        if visit.state == Visit.State.ENDED:
            return
        visit.state, visit.ended_at = Visit.State.ENDED, timezone.now()
        visit.pending_departments = []
        visit.save(update_fields=["state", "ended_at", "pending_departments"])
        ticket = ticket_selectors.ticket(visit.ticket_id) if visit.ticket_id else None
        if (ticket is not None and ticket.state == Ticket.State.SERVING
                and ticket.department_id == staff.department_id):
            ticket_services.finish(request, staff, ticket.pk)
        _event(visit, Kind.END, staff)
        _log(request, "ended", visit)



def forget_resident(user: User) -> int:
    """A resident deleted their account: delete their pre-applications (スマート申請), which
    hold their answers sealed. Returns how many."""
    deleted, _by_model = PreApplication.objects.filter(resident=user).delete()
    return deleted
