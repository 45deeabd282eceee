"""Staff pages of electronic approval: delegating one's approval steps while away."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.core import audit
from madoguchi.jp import wareki
from madoguchi.jp.errors import JPValueError
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import role_required, staff_member

from . import services
from .models import Delegation

APPROVER_ROLES = ("approver", "head")


def _date(value: str) -> dt.date | None:
    try:
        return wareki.parse_date(value.replace("\x00", "")[:30])
    except JPValueError:
        return None


@role_required(*APPROVER_ROLES)
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    """An approver or head names who decides their steps while they are away."""
    me = staff_member(request)
    colleagues = StaffMember.objects.filter(department_id=me.department_id).exclude(pk=me.pk)
    errors: list[str] = []
    if request.method == "POST":
        chosen = request.POST.get("delegate", "")[:12]
        delegate = colleagues.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        starts_on, ends_on = (_date(request.POST.get("starts_on", "")),
                              _date(request.POST.get("ends_on", "")))
        if delegate is None:
            errors.append(_("Choose who decides for you."))
        if starts_on is None or ends_on is None:
            errors.append(_("Enter the first and last day, e.g. 2026-12-01 or 令和8年12月1日."))
        if not errors:
            try:
                services.delegate(delegator=me, delegate_to=delegate, starts_on=starts_on,
                                  ends_on=ends_on)
            except services.ApprovalRefused:
                errors.append(_("The last day is before the first day."))
            else:
                audit.record(request, "approval.delegate", target_type="user",
                             target_id=str(delegate.user_id),
                             details={"from": starts_on.isoformat(), "to": ends_on.isoformat()})
                messages.success(request, _("While you are away, %(name)s decides your steps.")
                                 % {"name": str(delegate)})
                return redirect("staff:delegations")
    given = (Delegation.objects.filter(delegator=request.user, ends_on__gte=timezone.localdate())
             .select_related("delegate__staff_profile"))
    received = (Delegation.objects.filter(delegate=request.user, ends_on__gte=timezone.localdate())
                .select_related("delegator__staff_profile"))
    return render(request, "approvals/delegations.html", {
        "colleagues": colleagues, "given": given, "received": received, "errors": errors,
        "values": request.POST if request.method == "POST" else {},
    }, status=422 if errors else 200)
