"""Reads of the catalog: the city, its procedures and their life events."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from .models import City, LifeEvent, Procedure


def get_city() -> City | None:
    return City.objects.first()


def procedures() -> QuerySet[Procedure]:
    """Procedures with their department and counter, and whether an open, published form exists.

    The form is read through the reverse relations the forms app declares on a procedure
    (``form``, then its ``versions``), so the catalog needs no import from the floor above.
    """
    published = Procedure.objects.filter(
        pk=OuterRef("pk"), form__is_open=True, form__versions__published_at__isnull=False
    )
    return Procedure.objects.select_related("department", "counter").annotate(
        has_published_form=Exists(published)
    )


def life_events_for(procedure: Procedure) -> list[LifeEvent]:
    """The published life events whose navigator checklist can list ``procedure``."""
    return list(LifeEvent.objects.filter(is_published=True, rules__procedure=procedure)
                .distinct().order_by("sort_order", "pk"))
