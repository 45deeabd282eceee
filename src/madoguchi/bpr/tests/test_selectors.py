from decimal import Decimal

import pytest

from madoguchi.bpr.models import Actor, Medium, Step, View, Worksheet
from madoguchi.bpr.selectors import CaseMinutes, minutes_per_case
from madoguchi.bpr.tests.helpers import blank_procedure


@pytest.mark.django_db
def test_minutes_per_case_sums_each_view(demo) -> None:
    procedure = blank_procedure()  # the demo's own worksheets are there too
    sheet = Worksheet.objects.create(procedure=procedure)
    for view, order, minutes in [
        (View.AS_IS, 1, "12.5"),
        (View.AS_IS, 2, "30"),
        (View.TO_BE, 1, "4"),
    ]:
        Step.objects.create(
            worksheet=sheet, view=view, order=order, actor=Actor.DEPARTMENT, action="step",
            medium=Medium.PAPER, minutes_per_case=Decimal(minutes),
        )
    found = minutes_per_case([procedure.id])
    assert found == {procedure.id: CaseMinutes(as_is=Decimal("42.5"), to_be=Decimal("4"))}
    assert found[procedure.id].saved == Decimal("38.5")
    assert minutes_per_case([procedure.id + 1000]) == {}
