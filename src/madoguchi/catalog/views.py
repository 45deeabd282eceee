"""Resident pages of the catalog: home and a procedure's page.

The site search at ``/search/`` (``catalog:search``) is served by ``search.resident_urls``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/home.html", {"procedures": selectors.procedures()})


def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = get_object_or_404(selectors.procedures(), slug=slug)
    return render(
        request,
        "catalog/procedure_detail.html",
        {"procedure": procedure, "form": getattr(procedure, "form", None),
         "can_apply": procedure.accepts_online_application},
    )
