"""The effect dashboard: DX office and administrators see the city (or one department), a head
sees their own department; other roles are refused. Counts only, from the roll-up tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import urlencode

import xlsxwriter
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.applications.exports import ExportFormat, ExportResult, clean_text, csv_line
from madoguchi.applications.models import Channel
from madoguchi.core import audit
from madoguchi.staff.models import Department, StaffMember
from madoguchi.staff.permissions import role_required, staff_member

from . import dashboard, figures

ROLES = (StaffMember.Role.DX, StaffMember.Role.ADMIN, StaffMember.Role.HEAD)
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def channel_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Channel.choices}


def _month(value: str) -> dt.date | None:
    match = MONTH.match(value.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def scope_for(request: HttpRequest, staff: StaffMember) -> tuple[dashboard.Scope, list[str]]:
    """The page's scope from its query, and the messages for what could not be used."""
    errors: list[str] = []
    query = request.GET
    department: Department | None = None
    if staff.role == StaffMember.Role.HEAD:
        department = staff.department  # a head sees their own department, whatever is asked
    elif query.get("department"):
        department = Department.objects.filter(code=query["department"][:50]).first()
        if department is None:
            errors.append(_("There is no such department: the whole city is shown."))
    default = dashboard.default_scope(department)
    first, last = default.first_month, default.last_month
    fy = query.get("fy", "").strip()
    if fy:
        if fy.isascii() and fy.isdigit() and 2000 <= int(fy) <= 2100:
            first, last = figures.fiscal_year_bounds(int(fy))
        else:
            errors.append(_("Choose a fiscal year from the list."))
    elif query.get("from") or query.get("to"):
        asked_first = _month(query.get("from", "")) if query.get("from") else first
        asked_last = _month(query.get("to", "")) if query.get("to") else last
        if asked_first is None or asked_last is None:
            errors.append(_("Enter the months as YYYY-MM, for example 2026-04."))
        elif asked_first > asked_last:
            errors.append(_("The first month must not be after the last month."))
        elif len(figures.months_between(asked_first, asked_last)) > dashboard.MAX_MONTHS:
            errors.append(_("Choose at most %(months)d months.") % {
                "months": dashboard.MAX_MONTHS})
        else:
            first, last = asked_first, asked_last
    return dashboard.Scope(department, first, last), errors


def _query(scope: dashboard.Scope) -> str:
    params = {"from": scope.first_month.strftime("%Y-%m"), "to": scope.last_month.strftime("%Y-%m")}
    if scope.department is not None:
        params["department"] = scope.department.code
    return urlencode(params)


@role_required(*ROLES)
def dashboard_view(request: HttpRequest) -> HttpResponse:
    staff = staff_member(request)
    scope, errors = scope_for(request, staff)
    data = dashboard.dashboard(scope, channel_labels())
    query = _query(scope)
    base = {"department": scope.department.code} if scope.department else {}
    fiscal = [(year, dashboard.fiscal_year_name(year),
               urlencode({**base, "fy": year}),
               (scope.first_month, scope.last_month) == figures.fiscal_year_bounds(year))
              for year in dashboard.fiscal_years()]
    return render(request, "bpr/effect.html", {
        "data": data, "scope": scope, "errors": errors, "query": query,
        "fiscal_years": fiscal, "city_wide": staff.role != StaffMember.Role.HEAD,
        "departments": Department.objects.order_by("pk"),
        "first": scope.first_month.strftime("%Y-%m"), "last": scope.last_month.strftime("%Y-%m"),
        "phone_minutes": settings.MADOGUCHI_BPR_PHONE_BOOKING_MINUTES,
    })


def _filename(table: dashboard.Table, scope: dashboard.Scope, ext: str) -> str:
    who = scope.department.code if scope.department else "city"
    return (f"effect-{table.name}-{who}-{scope.first_month:%Y%m}-{scope.last_month:%Y%m}"
            f".{ext}")


def _lines(table: dashboard.Table) -> list[list[str]]:
    lines = [[c.label for c in table.columns], *table.display_rows()]
    footer = table.display_footer()
    if footer is not None:
        lines.append(footer)
    return [[clean_text(cell) for cell in line] for line in lines]


class _Echo:
    def write(self, value: str) -> str:
        return value


@role_required(*ROLES)
def download_view(request: HttpRequest, table: str, ext: str) -> HttpResponse:
    """One table of the dashboard as CSV (CP932) or as an Excel workbook, as shown on the page."""
    if table not in dashboard.TABLES or ext not in ("csv", "xlsx"):
        raise Http404
    staff = staff_member(request)
    scope, _errors = scope_for(request, staff)
    data = dashboard.one_table(scope, table, channel_labels())
    lines = _lines(data)
    if ext == "csv":
        writer = csv.writer(_Echo())
        result = ExportResult()
        names = lines[0]
        body = b"".join(csv_line(writer, ExportFormat.CSV_CP932, str(n), line, result, names)
                        for n, line in enumerate(lines))
        response = HttpResponse(body, content_type="text/csv; charset=Windows-31J")
    else:
        response = HttpResponse(_xlsx(data, lines), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{_filename(data, scope, ext)}"'
    audit.record(request, "bpr.effect.download", target_type="bpr.effect", target_id=table,
                 details={"format": ext, "query": _query(scope),
                          "at": timezone.now().isoformat()})
    return response


def _xlsx(table: dashboard.Table, lines: list[list[str]]) -> bytes:
    """The table as the page shows it; plain numbers are written as numbers."""
    target = io.BytesIO()
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(table.name)
    bold = workbook.add_format({"bold": True})
    sheet.write_string(0, 0, table.title, bold)
    for r, line in enumerate(lines, start=2):
        for c, text in enumerate(line):
            number = _number(text)
            if r > 2 and number is not None:
                sheet.write_number(r, c, number)
            else:
                sheet.write_string(r, c, text, bold if r == 2 else None)
    sheet.freeze_panes(3, 1)
    if table.note:
        sheet.write_string(len(lines) + 3, 0, table.note)
    workbook.close()
    return target.getvalue()


def _number(text: str) -> float | None:
    plain = text.replace(",", "")
    try:
        return float(plain) if re.fullmatch(r"-?\d+(\.\d+)?", plain) else None
    except ValueError:
        return None
