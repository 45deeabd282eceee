"""Reads for the retention pages: tallies, legal holds, recent runs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from madoguchi.applications.models import Application
from madoguchi.core.models import AuditEvent

from .models import Tally


def tallies(subjects: list[str]) -> QuerySet[Tally]:
    return Tally.objects.filter(kind=Tally.Kind.APPLICATION, subject__in=subjects).order_by(
        "-month", "subject")


def held_cases(department_id: int) -> QuerySet[Application]:
    return (Application.objects.filter(department_id=department_id)
            .exclude(legal_hold_reason="").select_related("procedure")
            .order_by("legal_hold_since"))


def recent_runs(limit: int = 10) -> list[dict[str, Any]]:
    return [{"at": event.at, **event.details} for event in
            AuditEvent.objects.filter(action="retention.run").order_by("-at")[:limit]]
