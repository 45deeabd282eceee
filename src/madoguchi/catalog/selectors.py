"""Reads of the catalog: the city, its procedures and their life events."""

from __future__ import annotations

import time

from django.db.models import (
    BooleanField,
    CharField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from madoguchi.core.textkeys import TextSlot, text_slots

from .models import City, Counter, LifeEvent, NavigatorQuestion, NavigatorRule, Procedure

# How long a process shows the city it read in every page's header and footer and in every
# notice's signature before reading it again (see city_for_display).
CITY_DISPLAY_SECONDS = 30.0
_city_display: tuple[float, City | None] | None = None


def get_city() -> City | None:
    """The city, read now (for what must be current: transfers, signatures, the counter)."""
    return City.objects.first()


def city_for_display() -> City | None:
    """The city for the header and footer of every page and the end of every notice: its name,
    address, phone number and hours, read at most once per ``CITY_DISPLAY_SECONDS`` per process.

    Saving or deleting the city forgets it at once in the process that wrote it
    (:func:`forget_city`); another process or server shows the new values within
    ``CITY_DISPLAY_SECONDS``. Those texts change perhaps once a year and nothing is decided on
    them, so half a minute of the old phone number on another server is harmless, while reading
    the row on every page cost a query per page. The instance is shared: read it, never change it.
    """
    global _city_display
    cached = _city_display
    now = time.monotonic()
    if cached is not None and now < cached[0]:
        return cached[1]
    city = get_city()
    _city_display = (now + CITY_DISPLAY_SECONDS, city)
    return city


def forget_city(**_kwargs: object) -> None:
    """Drop the city :func:`city_for_display` keeps (connected to the city's saves)."""
    global _city_display
    _city_display = None


def procedures() -> QuerySet[Procedure]:
    """Procedures with their department and counter, and whether an open, published form exists
    that residents may file (not one for the counter only).

    The form is read through the reverse relations the forms app declares on a procedure
    (``form``, then its ``versions``), so the catalog needs no import from the floor above.
    """
    # Who may file with the newest published version ("resident" when the definition omits
    # it): a form filed only by a clerk at the counter is no online application.
    live_access = (
        Procedure.objects.filter(pk=OuterRef("pk"), form__is_open=True,
                                 form__versions__published_at__isnull=False)
        .order_by("-form__versions__number")
        .annotate(live_definition=F("form__versions__definition"))
        .annotate(access=Coalesce(KT("live_definition__access"), Value("resident"),
                                  output_field=CharField()))
        .values("access")[:1]
    )
    return (Procedure.objects.select_related("department", "counter")
            .annotate(live_access=Subquery(live_access))
            .annotate(has_published_form=ExpressionWrapper(
                Q(live_access__isnull=False) & ~Q(live_access="counter"),
                output_field=BooleanField())))


def life_events_for(procedure: Procedure) -> list[LifeEvent]:
    """The published life events whose navigator checklist can list ``procedure``."""
    return list(LifeEvent.objects.filter(is_published=True, rules__procedure=procedure)
                .distinct().order_by("sort_order", "pk"))


def department_procedure(department_id: int, slug: str) -> Procedure:
    """One procedure of the department ``department_id`` (Http404 for another's)."""
    return get_object_or_404(Procedure, slug=slug, department_id=department_id)


# --- Translatable texts (the translation workflow reads and writes them by key) ----------------

# The fields of a procedure that residents read, in the order a translator meets them.
PROCEDURE_TEXT_FIELDS = ("name", "summary", "description", "eligibility", "deadline", "documents",
                         "fee", "online_note")


def procedure_text_slots(procedure: Procedure,
                         rules: list[NavigatorRule] | None = None) -> dict[str, TextSlot]:
    """Every text of ``procedure`` and of its navigator rules, by key (``name``,
    ``documents.0``, ``rules.<id>.why`` ...); the objects are those of the instances, so a
    service can change them in place."""
    slots: dict[str, TextSlot] = {}
    for name in PROCEDURE_TEXT_FIELDS:
        slots.update(text_slots(getattr(procedure, name), name))
    if rules is None:
        rules = list(procedure.navigator_rules.order_by("event__sort_order", "sort_order", "pk"))
    for rule in rules:
        slots.update(text_slots(rule.why, f"rules.{rule.pk}.why"))
        slots.update(text_slots(rule.deadline_basis, f"rules.{rule.pk}.deadline_basis"))
    return slots


def procedure_texts(procedure: Procedure) -> dict[str, dict[str, str]]:
    """A copy of every text of ``procedure`` (see :func:`procedure_text_slots`)."""
    return {key: dict(slot) for key, slot in procedure_text_slots(procedure).items()}


def procedures_of(department_id: int | None) -> QuerySet[Procedure]:
    """The procedures of a department (every procedure for ``None``), in catalog order."""
    found = Procedure.objects.select_related("department").order_by("sort_order", "pk")
    return found if department_id is None else found.filter(department_id=department_id)


CITY_TEXT_FIELDS = ("name", "address", "hours", "notice")
COUNTER_TEXT_FIELDS = ("name", "number", "building", "floor", "hours")
EVENT_TEXT_FIELDS = ("name", "summary", "date_label", "date_hint")
QUESTION_TEXT_FIELDS = ("text", "hint")


def city_text_slots(city: City, counters: list[Counter] | None = None,
                    events: list[LifeEvent] | None = None,
                    questions: list[NavigatorQuestion] | None = None) -> dict[str, TextSlot]:
    """The texts shared by every department, by key: the city (``name``, ``notice`` ...), its
    counters (``counters.<code>.hours``), and the navigator's life events and their questions
    (``events.<slug>.name``, ``events.<slug>.questions.<key>.text``). The objects are those of
    the instances."""
    if counters is None:
        counters = list(Counter.objects.order_by("pk"))
    if events is None:
        events = list(LifeEvent.objects.order_by("sort_order", "pk"))
    if questions is None:
        questions = list(NavigatorQuestion.objects.select_related("event")
                         .order_by("event__sort_order", "event_id", "sort_order", "pk"))
    slots: dict[str, TextSlot] = {}
    for name in CITY_TEXT_FIELDS:
        slots.update(text_slots(getattr(city, name), name))
    for counter in counters:
        for name in COUNTER_TEXT_FIELDS:
            slots.update(text_slots(getattr(counter, name), f"counters.{counter.code}.{name}"))
    slugs = {event.pk: event.slug for event in events}
    for event in events:
        for name in EVENT_TEXT_FIELDS:
            slots.update(text_slots(getattr(event, name), f"events.{event.slug}.{name}"))
    for question in questions:
        slug = slugs.get(question.event_id, question.event_id)
        prefix = f"events.{slug}.questions.{question.key}"
        for name in QUESTION_TEXT_FIELDS:
            slots.update(text_slots(getattr(question, name), f"{prefix}.{name}"))
    return slots


def city_texts(city: City) -> dict[str, dict[str, str]]:
    """A copy of the texts shared by every department (see :func:`city_text_slots`)."""
    return {key: dict(slot) for key, slot in city_text_slots(city).items()}
