"""Reads of BPR worksheets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet, Sum

from madoguchi.bpr.models import Actor, Medium, Step, StepStatus, View, Worksheet
from madoguchi.catalog.models import Procedure
from madoguchi.staff.models import StaffMember

# Roles that see and edit every department's worksheets; a head sees their own department's.
ALL_DEPARTMENT_ROLES = (StaffMember.Role.DX, StaffMember.Role.ADMIN)
EDITOR_ROLES = (StaffMember.Role.HEAD, *ALL_DEPARTMENT_ROLES)


@dataclass(frozen=True)
class CaseMinutes:
    """Minutes of work one case takes, summed over a worksheet's steps, as-is and to-be."""

    as_is: Decimal
    to_be: Decimal

    @property
    def saved(self) -> Decimal:
        return self.as_is - self.to_be


def minutes_per_case(procedure_ids: Iterable[int] | None = None) -> dict[int, CaseMinutes]:
    """Minutes per case of each procedure that has a worksheet, keyed by procedure id.

    A view without steps counts as zero minutes; ``procedure_ids`` limits the procedures read.
    """
    steps = Step.objects.all()
    if procedure_ids is not None:
        steps = steps.filter(worksheet__procedure_id__in=list(procedure_ids))
    sums: dict[int, dict[str, Decimal]] = {}
    for row in steps.values("worksheet__procedure_id", "view").annotate(
        minutes=Sum("minutes_per_case")
    ):
        per_view = sums.setdefault(row["worksheet__procedure_id"], {})
        per_view[row["view"]] = row["minutes"] or Decimal("0")
    return {
        procedure_id: CaseMinutes(
            as_is=per_view.get(View.AS_IS, Decimal("0")),
            to_be=per_view.get(View.TO_BE, Decimal("0")),
        )
        for procedure_id, per_view in sums.items()
    }


HOUR_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Hours:
    """Hours of work a year, as-is and to-be (Σ minutes per case × cases per year ÷ 60)."""

    as_is: Decimal
    to_be: Decimal

    @property
    def saved(self) -> Decimal:
        return self.as_is - self.to_be


def _hours(minutes: Decimal) -> Decimal:
    return (minutes / 60).quantize(HOUR_PLACES, rounding=ROUND_HALF_UP)


def step_hours(step: Step) -> Decimal:
    """Hours a year of one step, to one decimal."""
    return _hours(step.minutes_per_case * step.cases_per_year)


def hours_per_year(worksheet_ids: Iterable[int]) -> dict[int, Hours]:
    """Hours a year of each worksheet's views, keyed by worksheet id (exact sums, then rounded).

    Worksheets without steps get zero hours.
    """
    ids = list(worksheet_ids)
    minutes: dict[int, dict[str, Decimal]] = {i: {} for i in ids}
    rows = Step.objects.filter(worksheet_id__in=ids).values_list(
        "worksheet_id", "view", "minutes_per_case", "cases_per_year")
    for worksheet_id, view, per_case, cases in rows:
        per_view = minutes[worksheet_id]
        per_view[view] = per_view.get(view, Decimal("0")) + Decimal(per_case) * cases
    return {
        worksheet_id: Hours(as_is=_hours(per_view.get(View.AS_IS, Decimal("0"))),
                            to_be=_hours(per_view.get(View.TO_BE, Decimal("0"))))
        for worksheet_id, per_view in minutes.items()
    }


def visible_procedures(staff: StaffMember) -> QuerySet[Procedure]:
    """Procedures whose worksheet the staff member may open: a head their department's, the DX
    office and administrators every one."""
    procedures = Procedure.objects.select_related("department").order_by("department_id",
                                                                          "sort_order", "id")
    if staff.role in ALL_DEPARTMENT_ROLES:
        return procedures
    return procedures.filter(department_id=staff.department_id)


def worksheet_list(staff: StaffMember) -> list[dict[str, object]]:
    """Every visible procedure with its worksheet (or None) and hours a year."""
    procedures = list(visible_procedures(staff).select_related("bpr_worksheet"))
    sheets: dict[int, Worksheet | None] = {
        p.id: getattr(p, "bpr_worksheet", None) for p in procedures}
    hours = hours_per_year(s.id for s in sheets.values() if s is not None)
    rows: list[dict[str, object]] = []
    for p in procedures:
        sheet = sheets[p.id]
        rows.append({"procedure": p, "worksheet": sheet,
                     "hours": hours.get(sheet.id) if sheet is not None else None})
    return rows


def view_steps(worksheet: Worksheet) -> dict[str, list[Step]]:
    """Steps of each view in order, with their evidence and links loaded."""
    steps = (worksheet.steps.select_related("replaced_by")
             .prefetch_related("evidence", "replaces").order_by("view", "order"))
    views: dict[str, list[Step]] = {View.AS_IS: [], View.TO_BE: []}
    for step in steps:
        views[step.view].append(step)
    return views


def snapshot_sections(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """A saved version's steps, for display: labels of the choices, hours of each view."""
    views = snapshot.get("views", {})
    sections: list[dict[str, Any]] = []
    for view in (View.AS_IS, View.TO_BE):
        rows = []
        total = Decimal("0")
        for item in views.get(view, []) if isinstance(views, dict) else []:
            minutes = Decimal(str(item.get("minutes_per_case", "0")))
            cases = int(item.get("cases_per_year", 0))
            total += minutes * cases
            rows.append(item | {
                "actor_label": _label(Actor, item.get("actor")),
                "medium_label": _label(Medium, item.get("medium")),
                "status_label": _label(StepStatus, item.get("status")),
                "minutes": minutes, "hours": _hours(minutes * cases),
            })
        sections.append({"view": view, "label": View(view).label, "rows": rows,
                         "hours": _hours(total)})
    return sections


def _label(choices: type[models.TextChoices], value: object) -> str:
    try:
        return str(choices(str(value)).label)
    except ValueError:
        return str(value)
