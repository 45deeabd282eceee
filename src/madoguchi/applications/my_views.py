"""The resident's my page: their applications and unfinished drafts, and links to the rest."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from madoguchi.residents import selectors as resident_selectors
from madoguchi.residents.permissions import resident_required

from . import drafts, selectors, timeline


@resident_required
def mypage(request: HttpRequest) -> HttpResponse:
    applications = list(selectors.for_resident(request.user)[:100])
    for application in applications:
        application.progress = timeline.progress(application)
    return render(request, "applications/mypage.html", {
        "applications": applications, "drafts": drafts.for_resident(request.user),
        "must_confirm_email": resident_selectors.must_confirm_email(request.user),
        "identity_rows": resident_selectors.identity_rows(request.user)})
