"""The effect dashboard page: who may see what, filters, downloads, suppression of small counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from madoguchi.bpr.models import Actor, Medium, Step, View, Worksheet
from madoguchi.bpr.rollups import ApplicationFigures, BookingFigures, Span
from madoguchi.catalog.models import Procedure
from madoguchi.staff.tests.helpers import member, staff_login

URL = "/staff/bpr/effect/"


@pytest.fixture
def figures_loaded(demo):
    """Monthly rows for two departments: 子育て支援課 (通学費) and 市民課 (転入届)."""
    tsugaku = Procedure.objects.get(slug="tsugaku-hojo")
    tennyu = Procedure.objects.get(slug="tennyu")
    month = dt.date.today().replace(day=1)
    ApplicationFigures.objects.bulk_create([
        ApplicationFigures(span=Span.MONTH, start=month, procedure=tsugaku,
                           department_id=tsugaku.department_id, channel="online", received=120,
                           decided=100, decided_after_return=10, returned=12,
                           lead_days={"2": 50, "5": 40, "9": 10}),
        ApplicationFigures(span=Span.MONTH, start=month, procedure=tsugaku,
                           department_id=tsugaku.department_id, channel="paper", received=3),
        ApplicationFigures(span=Span.MONTH, start=month, procedure=tennyu,
                           department_id=tennyu.department_id, channel="counter", received=777),
    ])
    BookingFigures.objects.create(span=Span.MONTH, start=month,
                                  department_id=tsugaku.department_id, online=60, phone=2)
    # The demo's worksheet of 通学費, its minutes set so that one case saves 38.5 minutes.
    sheet, _created = Worksheet.objects.get_or_create(procedure=tsugaku)
    Step.objects.filter(worksheet=sheet).update(minutes_per_case=Decimal("0"))
    for view, minutes in ((View.AS_IS, "42.5"), (View.TO_BE, "4")):
        Step.objects.update_or_create(
            worksheet=sheet, view=view, order=1,
            defaults={"actor": Actor.DEPARTMENT, "action": "審査", "medium": Medium.PAPER,
                      "minutes_per_case": Decimal(minutes)})
    return month


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.django_db
@pytest.mark.parametrize("role,status", [("dx", 200), ("admin", 200), ("head", 200),
                                         ("clerk", 403), ("approver", 403), ("counter", 403)])
def test_roles(demo, role, status):
    client = staff_login(Client(), member(role, "kosodate"))
    assert client.get(URL).status_code == status
    assert client.get(URL + "channels.csv").status_code == status


@pytest.mark.django_db
def test_the_dx_office_sees_the_city_and_small_counts_are_suppressed(figures_loaded):
    client = staff_login(Client(), member("dx", "shimin"))
    response = client.get(URL)
    page = text(response)
    assert "777" in page and "120" in page
    assert "5未満" in page  # 3 paper applications, 2 phone bookings
    assert re.search(r"<td class=\"num\">3</td>", response.content.decode()) is None
    # Lead time p50/p90 from the histogram: 2 and 5 days; hours saved 38.5 × 120 / 60 = 77.
    assert "77.0" in page
    assert "2 days" in page or "2日" in page
    # Every chart has an accessible name and description, and a table beside it.
    svgs = re.findall(r"<svg [^>]*role=\"img\"[^>]*aria-labelledby=\"([^\"]+)\"",
                      response.content.decode())
    assert len(svgs) == 6
    for ids in svgs:
        for part in ids.split():
            assert f'id="{part}"' in response.content.decode()
    assert response.content.decode().count("<table") == 6


@pytest.mark.django_db
def test_a_head_sees_their_department_only(figures_loaded):
    client = staff_login(Client(), member("head", "kosodate"))
    page = text(client.get(URL + "?department=shimin"))
    assert "120" in page and "777" not in page
    assert 'id="id_department"' not in page


@pytest.mark.django_db
def test_department_filter_for_the_dx_office(figures_loaded):
    client = staff_login(Client(), member("dx", "shimin"))
    page = text(client.get(URL + "?department=shimin"))
    assert "777" in page and "120" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["from=2026-13&to=x", "from=2027-01&to=2026-01", "fy=abc",
                                   "fy=99999999999999999999", "department=nope",
                                   "from=1900-01&to=2100-12", "from=%00&to=%FF", "fy=2025"])
def test_bad_filters_never_fail(figures_loaded, query):
    client = staff_login(Client(), member("dx", "shimin"))
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    if query != "fy=2025":
        assert 'role="alert"' in response.content.decode()
    assert client.get(f"{URL}lead_time.xlsx?{query}").status_code == 200


@pytest.mark.django_db
def test_fiscal_year_shortcut(figures_loaded):
    client = staff_login(Client(), member("dx", "shimin"))
    fy = figures_loaded.year if figures_loaded.month >= 4 else figures_loaded.year - 1
    content = client.get(f"{URL}?fy={fy}").content.decode()
    assert f'value="{fy}-04"' in content and f'value="{fy + 1}-03"' in content
    assert 'aria-current="page"' in content


@pytest.mark.django_db
def test_csv_is_cp932_and_suppressed(figures_loaded):
    client = staff_login(Client(), member("dx", "shimin"))
    response = client.get(URL + "channels.csv")
    assert response["Content-Type"] == "text/csv; charset=Windows-31J"
    rows = list(csv.reader(io.StringIO(response.content.decode("cp932"))))
    labels = (figures_loaded.strftime("%Y-%m"),
              f"{figures_loaded.year}年{figures_loaded.month:02d}月")
    month = [r for r in rows if r and r[0] in labels]
    assert month, rows
    assert "5未満" in month[0]
    assert "3" not in month[0][1:5]


@pytest.mark.django_db
def test_every_table_downloads_as_xlsx(figures_loaded):
    client = staff_login(Client(), member("dx", "shimin"))
    for table in ("channels", "lead_time", "bookings", "chat", "visits", "hours"):
        response = client.get(f"{URL}{table}.xlsx")
        assert response.status_code == 200, table
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        values = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
        assert values, table
        if table == "channels":
            assert "5未満" in values and 3 not in values and 777 in values
    assert client.get(URL + "nope.csv").status_code == 404
    assert client.get(URL + "channels.pdf").status_code == 404


@pytest.mark.django_db
def test_the_page_reads_only_rollups(figures_loaded, django_assert_max_num_queries):
    client = staff_login(Client(), member("dx", "shimin"))
    with django_assert_max_num_queries(40) as queries:
        client.get(URL)
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "applications_application" not in tables
    assert "reservations_booking" not in tables
    assert "faq_chatquestion" not in tables


@pytest.mark.django_db
def test_a_hidden_procedure_stays_out_of_the_hours_totals(figures_loaded):
    """Three cases of a second procedure: hidden in its row, and not in the totals either."""
    sheet = Worksheet.objects.exclude(procedure__slug="tsugaku-hojo").first()
    assert sheet is not None  # the demo's がん検診 worksheet
    ApplicationFigures.objects.create(
        span=Span.MONTH, start=figures_loaded, procedure=sheet.procedure,
        department_id=sheet.procedure.department_id, channel="online", received=3)
    client = staff_login(Client(), member("dx", "shimin"))
    rows = list(csv.reader(io.StringIO(client.get(URL + "hours.csv").content.decode("cp932"))))
    total = next(r for r in rows if r and r[0] in ("Total", "合計"))
    assert total[-2:] == ["120", "77.0"], rows
    hidden = [r for r in rows if r and r[0] not in ("Total", "合計") and "5未満" in r]
    assert hidden, rows
