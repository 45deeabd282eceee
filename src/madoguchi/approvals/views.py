"""Staff pages of electronic approval: delegating one's approval steps while away."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.staff.permissions import role_required, staff_member

from . import selectors, services
from .forms import DelegationForm

APPROVER_ROLES = ("approver", "head")


@role_required(*APPROVER_ROLES)
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    """An approver or head names who decides their steps while they are away."""
    me = staff_member(request)
    colleagues = selectors.colleagues(me)
    errors: list[str] = []
    if request.method == "POST":
        form = DelegationForm(request.POST, colleagues=colleagues)
        if not form.is_valid():
            errors = form.messages()
        else:
            delegate = form.cleaned_data["delegate"]
            try:
                services.delegate(delegator=me, delegate_to=delegate,
                                  starts_on=form.cleaned_data["starts_on"],
                                  ends_on=form.cleaned_data["ends_on"], request=request)
            except services.ApprovalRefused:
                errors.append(_("The last day is before the first day."))
            else:
                messages.success(request, _("While you are away, %(name)s decides your steps.")
                                 % {"name": str(delegate)})
                return redirect("staff:delegations")
    today = timezone.localdate()
    return render(request, "approvals/delegations.html", {
        "colleagues": colleagues, "errors": errors,
        "given": selectors.delegations_given(request.user, today),
        "received": selectors.delegations_received(request.user, today),
        "values": request.POST if request.method == "POST" else {},
    }, status=422 if errors else 200)
