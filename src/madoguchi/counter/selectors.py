"""Reads of the counter: visits a clerk may see, what a visit knows, what applies to it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q, Sum

from madoguchi.applications.models import Application
from madoguchi.catalog.models import LifeEvent, Procedure
from madoguchi.catalog.navigator.selectors import (
    Checklist,
    Item,
    build_checklist,
    published_events,
)
from madoguchi.core import crypto
from madoguchi.forms import selectors as form_selectors
from madoguchi.registry.plugins import RegistryConnector, registry_connectors
from madoguchi.staff.models import Department, StaffMember
from madoguchi.tickets.models import Ticket

from .interview import Source
from .models import Signature, Visit, VisitEvent


def connector() -> tuple[str, RegistryConnector] | None:
    """The registry connector the counter looks residents up with: the first enabled one."""
    enabled = registry_connectors.enabled()
    return enabled[0] if enabled else None


def data(visit: Visit) -> dict[str, Any]:
    """The visit's sealed data: ``person`` (concept values), ``household``, ``plan``,
    ``raw`` and ``answers`` (by form slug). Callers are staff of the visit (or its screen)."""
    if not visit.sealed:
        return {}
    value = crypto.unseal(visit.sealed, context=str(visit.public_id))
    return value if isinstance(value, dict) else {}


def visits_for(staff: StaffMember, day: dt.date) -> list[Visit]:
    """Visits of ``day`` not ended that the clerk's department holds or still has to act on
    (a handful at a time: the pending list is read here, as SQLite cannot query into JSON)."""
    visits = (Visit.objects.exclude(state=Visit.State.ENDED)
              .filter(opened_at__date=day)
              .select_related("department", "ticket__purpose"))
    return [v for v in visits if v.department_id == staff.department_id
            or staff.department_id in v.pending_departments]


def visit_for(staff: StaffMember, public_id: uuid.UUID) -> Visit | None:
    """A visit the clerk may see: held by their department or waiting for it to act."""
    visit = (Visit.objects.select_related("department", "ticket__purpose", "opened_by")
             .filter(public_id=public_id).first())
    if visit is None:
        return None
    if (visit.department_id != staff.department_id
            and staff.department_id not in visit.pending_departments):
        return None
    return visit


def visit_by_public_id(public_id: uuid.UUID) -> Visit | None:
    return Visit.objects.filter(public_id=public_id).first()


def called_tickets(staff: StaffMember, day: dt.date) -> list[Ticket]:
    """The department's tickets called or being served today: the visits to open."""
    return list(Ticket.objects.filter(day=day, department_id=staff.department_id,
                                      state__in=(Ticket.State.CALLED, Ticket.State.SERVING))
                .select_related("purpose", "counter").order_by("called_at", "id"))


def life_events() -> list[LifeEvent]:
    return list(published_events().prefetch_related("questions"))


@dataclass
class Plan:
    """What applies to the visit: the checklists of its life events and their procedures."""

    checklists: list[Checklist] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # one per procedure, first deadline first

    @property
    def departments(self) -> list[Department]:
        seen: dict[int, Department] = {}
        for item in self.items:
            seen.setdefault(item.procedure.department_id, item.procedure.department)
        return list(seen.values())

    def fileable(self) -> dict[str, Procedure]:
        """Form slug → procedure, for the procedures whose form can be filed now: published
        and open, for residents or for the counter only (a clerk files both)."""
        found = {}
        for item in self.items:
            form = getattr(item.procedure, "form", None)
            if form is not None and form_selectors.live_version(form.slug) is not None:
                found[form.slug] = item.procedure
        return found


def plan(visit_data: dict[str, Any], today: dt.date) -> Plan:
    """The procedures the visit's life events bring, by the navigator's own rules."""
    result = Plan()
    events = {e.slug: e for e in life_events()}
    seen: set[int] = set()
    for chosen in visit_data.get("plan", {}).get("events", []):
        event = events.get(chosen.get("slug"))
        if event is None:
            continue
        checklist = build_checklist(event, chosen.get("query", {}), today)
        result.checklists.append(checklist)
        for item in checklist.items:
            if item.procedure.pk not in seen:
                seen.add(item.procedure.pk)
                result.items.append(item)
    return result


def sources(visit: Visit) -> list[Source]:
    """The chosen forms that can be filed now, with their live versions."""
    found = []
    for slug in visit.forms:
        version = form_selectors.live_version(slug)
        if version is not None:
            found.append(Source(slug=slug, version=version,
                                spec=form_selectors.spec_of(version)))
    return found


def signing(visit: Visit) -> list[Source]:
    """The chosen forms whose filing the resident signs (``"signature": true``)."""
    return [s for s in sources(visit) if s.spec.needs_signature]


def signature(visit: Visit) -> dict[str, Any]:
    """The signature the resident gave on the screen for this visit ({} when none)."""
    value = data(visit).get("signature")
    return value if isinstance(value, dict) else {}


def application_signature(application_id: int) -> tuple[Signature, dict[str, Any]] | None:
    """The counter signature attached to an application, with its unsealed content."""
    found = (Signature.objects.select_related("visit")
             .filter(application_id=application_id).first())
    if found is None:
        return None
    value = crypto.unseal(found.sealed, context=str(found.visit.public_id))
    return found, value if isinstance(value, dict) else {}


def timeline(visit: Visit) -> list[VisitEvent]:
    return list(visit.events.select_related("actor__staff_profile", "department"))


def applications(visit: Visit) -> list[Application]:
    """The applications the visit sent, with their procedures and counters."""
    return list(Application.objects.filter(pk__in=visit.applications)
                .select_related("procedure__counter", "procedure__department", "form_version")
                .order_by("pk"))


def departments(ids: list[int]) -> list[Department]:
    return list(Department.objects.filter(pk__in=ids).order_by("pk"))


@dataclass(frozen=True)
class Measures:
    """The measured effect of the ended visits of a period (for the statistics and BPR pages):
    how many, their average minutes, forms produced, answers prefilled and typed, and the
    clerk's keys over the visits where they are known (``keys_known`` of them)."""

    visits: int
    average_minutes: float | None
    forms_produced: int
    fields_prefilled: int
    fields_typed: int
    keys_known: int
    clerk_keys: int


def measures(first_day: dt.date, last_day: dt.date, *,
             department_id: int | None = None) -> Measures:
    """The measures of the visits ended between the two days (inclusive), optionally of the
    visits a department opened."""
    ended = Visit.objects.filter(state=Visit.State.ENDED, ended_at__date__gte=first_day,
                                 ended_at__date__lte=last_day)
    if department_id is not None:
        ended = ended.filter(opened_by__staff_profile__department_id=department_id)
    totals = ended.aggregate(
        visits=Count("pk"), average_minutes=Avg("minutes"), forms=Sum("forms_produced"),
        prefilled=Sum("fields_prefilled"), typed=Sum("fields_typed"),
        keys_known=Count("pk", filter=Q(clerk_keys__isnull=False)), keys=Sum("clerk_keys"))
    average = totals["average_minutes"]
    return Measures(visits=totals["visits"],
                    average_minutes=round(float(average), 1) if average is not None else None,
                    forms_produced=totals["forms"] or 0, fields_prefilled=totals["prefilled"] or 0,
                    fields_typed=totals["typed"] or 0, keys_known=totals["keys_known"],
                    clerk_keys=totals["keys"] or 0)


@dataclass(frozen=True)
class EndedVisit:
    """One ended visit's measures, without anything about the resident (for the BPR roll-ups)."""

    department_id: int | None
    ended_at: dt.datetime
    minutes: Any
    forms_produced: int


def ended_visits(start: dt.datetime, end: dt.datetime) -> list[EndedVisit]:
    """The measures of the visits ended in ``[start, end)``, with the department of the staff
    member who opened each (as :func:`measures` counts them)."""
    rows = (Visit.objects.filter(state=Visit.State.ENDED, ended_at__gte=start, ended_at__lt=end)
            .values_list("opened_by__staff_profile__department_id", "ended_at", "minutes",
                         "forms_produced").order_by())
    return [EndedVisit(department_id=department, ended_at=ended_at, minutes=minutes,
                       forms_produced=forms)
            for department, ended_at, minutes, forms in rows if ended_at is not None]
