"""Reads of BPR worksheets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from madoguchi.bpr.models import Step, View


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
