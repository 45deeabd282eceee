"""Staff pages of figures: the bookings export (CSV, audit-logged) and the utilisation counts.

The export is for case handlers, of their own department's services. Utilisation holds counts
only (no personal data): case handlers see their department, the DX office the whole city.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.core import audit
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import case_handler_required, staff_member, staff_required

from .. import exports, stats
from . import selectors as staff_selectors
from .common import form_errors
from .forms import ExportForm, PeriodForm


def _this_month() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    first = today.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


@case_handler_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponseBase:
    """Choose services, period and format; a valid POST sends the CSV (audit-logged)."""
    staff = staff_member(request)
    services_list = list(staff_selectors.department_services(staff))
    if request.method != "POST":
        start, end = _this_month()
        form = ExportForm(services=services_list, initial={
            "start": start.isoformat(), "end": end.isoformat(),
            "format": exports.ExportFormat.CSV_UTF8, "include_cancelled": True})
        return render(request, "reservations/staff/export.html",
                      {"staff": staff, "form": form, "errors": []})
    form = ExportForm(request.POST, services=services_list)
    if not form.is_valid():
        return render(request, "reservations/staff/export.html",
                      {"staff": staff, "form": form, "errors": form_errors(form)}, status=400)
    code = form.cleaned_data["service"]
    chosen = tuple(s for s in services_list if s.code == code) if code else tuple(services_list)
    job = exports.BookingExport(
        services=chosen, start=form.cleaned_data["start"], end=form.cleaned_data["end"],
        format=form.cleaned_data["format"], language=translation.get_language() or "ja",
        include_cancelled=form.cleaned_data["include_cancelled"])

    def on_finish(request: HttpRequest, result: Any) -> None:
        audit.record(request, "reservation.export", target_type="department",
                     target_id=str(staff.department_id), details=job.audit_details(result))

    response = StreamingHttpResponse(exports.csv_stream(job, partial(on_finish, request)),
                                     content_type=exports.CONTENT_TYPES[job.format])
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    return response


@staff_required
@require_GET
def utilisation(request: HttpRequest) -> HttpResponse:
    """Per service and period: slots, places, booked, attended, no-show, cancelled and the
    utilisation. Counts only. Case handlers see their department; the DX office the city."""
    staff: StaffMember = staff_member(request)
    city_wide = not staff.handles_cases
    if city_wide and staff.role != StaffMember.Role.DX:
        raise PermissionDenied
    start, end = _this_month()
    data = request.GET if ("start" in request.GET or "end" in request.GET) else {
        "start": start.isoformat(), "end": end.isoformat()}
    form = PeriodForm(data)
    services_qs = (staff_selectors.all_services() if city_wide
                   else staff_selectors.department_services(staff))
    rows: list[stats.Utilisation] = []
    total = None
    if form.is_valid():
        rows, total = stats.utilisation(services_qs, form.cleaned_data["start"],
                                        form.cleaned_data["end"])
    return render(request, "reservations/staff/utilisation.html", {
        "staff": staff, "form": form, "rows": rows, "total": total, "city_wide": city_wide,
        "errors": form_errors(form),
    }, status=200 if form.is_valid() else 400)
