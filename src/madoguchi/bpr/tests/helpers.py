"""Test helpers of the BPR worksheets."""

from __future__ import annotations

from decimal import Decimal

from madoguchi.bpr import services
from madoguchi.bpr.models import Worksheet
from madoguchi.catalog.models import Procedure


def row(action: str = "確認", minutes: str = "10", cases: int = 100,
        replaced_by: int | None = None, **kwargs: str) -> services.StepData:
    values = {"actor": "department", "medium": "paper", "status": "not_started"} | kwargs
    return services.StepData(action=action, minutes_per_case=Decimal(minutes),
                             cases_per_year=cases, replaced_by=replaced_by,
                             actor=values["actor"], medium=values["medium"],
                             status=values["status"], problems=values.get("problems", ""),
                             parties=values.get("parties", ""))


def blank_procedure(department: str = "kosodate") -> Procedure:
    """A procedure of ``department`` that has no worksheet (the demo fills two)."""
    procedure = Procedure.objects.filter(department__code=department,
                                         bpr_worksheet__isnull=True).first()
    assert procedure is not None
    return procedure


def new_worksheet(department: str = "kosodate", author=None) -> Worksheet:
    return services.create_worksheet(blank_procedure(department), author=author)
