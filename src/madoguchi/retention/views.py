"""Staff pages of retention (保存年限): administrators of a department set each procedure's
period and see what was deleted (counts only) and which cases are under a legal hold."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from madoguchi.approvals import selectors as approval_selectors
from madoguchi.catalog import selectors as catalog_selectors
from madoguchi.catalog.models import MAX_RETENTION_YEARS
from madoguchi.core import audit
from madoguchi.core.models import User
from madoguchi.staff.permissions import staff_member, staff_required

from . import selectors, services


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    staff = staff_member(request)
    if not staff.is_admin:
        raise PermissionDenied
    procedures = list(approval_selectors.department_procedures(staff))
    held = selectors.held_cases(staff.department_id)
    audit.record(request, "retention.view", target_type="department",
                 target_id=str(staff.department_id))
    return render(request, "retention/staff/overview.html", {
        "procedures": procedures,
        "tallies": selectors.tallies([p.slug for p in procedures]),
        "held": held,
        "runs": selectors.recent_runs(),
    })


@staff_required
def procedure_retention(request: HttpRequest, slug: str) -> HttpResponse:
    staff = staff_member(request)
    if not staff.is_admin:
        raise PermissionDenied
    procedure = catalog_selectors.department_procedure(staff.department_id, slug)
    error = ""
    value = str(procedure.retention_years)
    if request.method == "POST":
        value = request.POST.get("years", "").strip()
        try:
            years = int(value.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
            actor = request.user
            assert isinstance(actor, User)  # staff_required let only signed-in staff in
            services.set_retention_years(procedure=procedure, years=years, actor=actor)
        except (ValueError, services.RetentionRefused):
            error = _("Enter a whole number of years from 1 to %(max)d.") % {
                "max": MAX_RETENTION_YEARS}
        else:
            messages.success(request, _("The retention period was saved."))
            return redirect("staff:procedure_retention", slug=procedure.slug)
    return render(request, "retention/staff/procedure.html", {
        "procedure": procedure, "value": value, "error": error, "max": MAX_RETENTION_YEARS,
    }, status=422 if error else 200)
