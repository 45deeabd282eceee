"""The resident search page and the staff page of synonym groups."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.core import search_sources
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import role_required

from . import selectors, services
from .models import SynonymGroup

PAGE_RESULTS = 30
SYNONYM_ROLES = (StaffMember.Role.ADMIN, StaffMember.Role.DX)


def search_page(request: HttpRequest) -> HttpResponse:
    """GET /search/?q=…[&kind=…]: ranked results with highlighted snippets (no JS needed)."""
    query = str(request.GET.get("q", ""))[: selectors.MAX_QUERY_LENGTH].replace("\x00", "")
    query = " ".join(query.split())
    kinds = search_sources.sources()
    kind = str(request.GET.get("kind", ""))
    if kind not in kinds:
        kind = ""
    language = "en" if (get_language() or "ja").startswith("en") else "ja"
    hits: list[selectors.Hit] = []
    if query:
        hits = selectors.search(query, kinds=[kind] if kind else None, language=language,
                                limit=PAGE_RESULTS + 1)
    more = len(hits) > PAGE_RESULTS
    return render(request, "catalog/search.html", {
        "query": query, "results": hits[:PAGE_RESULTS], "more": more, "kind": kind,
        "kinds": [(k, str(s.label)) for k, s in kinds.items()], "limit": PAGE_RESULTS,
    })


def _terms_from(text: str) -> list[str]:
    """One term a line (commas and 、 also separate terms)."""
    for separator in (",", "、", "，", "/", "／"):
        text = text.replace(separator, "\n")
    return [t for t in text.splitlines() if t.strip()]


def _group_form(request: HttpRequest) -> tuple[dict, dict]:
    values = {"terms": str(request.POST.get("terms", ""))[:5000],
              "note": str(request.POST.get("note", ""))[:200]}
    errors: dict[str, str] = {}
    terms = services.clean_terms(_terms_from(values["terms"]))
    if len(terms) < 2:
        errors["terms"] = _("Enter at least two different terms, one a line.")
    elif len(terms) > services.MAX_TERMS_PER_GROUP:
        errors["terms"] = _("Enter at most %(count)d terms in one group.") % {
            "count": services.MAX_TERMS_PER_GROUP}
    values["cleaned"] = terms
    return values, errors


@role_required(*SYNONYM_ROLES)
def synonyms(request: HttpRequest) -> HttpResponse:
    """The synonym groups, and a form to add one (POST)."""
    values: dict = {"terms": "", "note": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = _group_form(request)
        if not errors:
            services.save_synonym_group(values["cleaned"], note=values["note"])
            messages.success(request, _("The synonym group was added."))
            return redirect("search_staff:synonyms")
    status = 400 if errors else 200
    return render(request, "search/synonyms.html", {
        "groups": SynonymGroup.objects.all(), "values": values, "errors": errors,
    }, status=status)


def _group(pk: int) -> SynonymGroup:
    group = SynonymGroup.objects.filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


@role_required(*SYNONYM_ROLES)
def synonym_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    values: dict = {"terms": "\n".join(group.terms), "note": group.note}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = _group_form(request)
        if not errors:
            services.save_synonym_group(values["cleaned"], note=values["note"], group=group)
            messages.success(request, _("The synonym group was saved."))
            return redirect("search_staff:synonyms")
    return render(request, "search/synonym_edit.html",
                  {"group": group, "values": values, "errors": errors},
                  status=400 if errors else 200)


@role_required(*SYNONYM_ROLES)
@require_POST
def synonym_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_synonym_group(_group(pk))
    messages.success(request, _("The synonym group was deleted."))
    return redirect("search_staff:synonyms")
