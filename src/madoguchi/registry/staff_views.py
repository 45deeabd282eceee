"""The counter's registry look-up page (counter clerks and administrators)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import role_required

from . import services
from .forms import LookUpForm

LOOKUP_ROLES = (StaffMember.Role.COUNTER, StaffMember.Role.ADMIN)


@role_required(*LOOKUP_ROLES)
def look_up(request: HttpRequest) -> HttpResponse:
    """GET: the search form. POST: the audited look-up (names stay out of URLs and logs)."""
    form = LookUpForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.look_up(request, form.query(), purpose=form.cleaned_data["purpose"],
                                  include_inactive=form.cleaned_data["include_inactive"])
    return render(request, "registry/look_up.html", {"form": form, "result": result})
