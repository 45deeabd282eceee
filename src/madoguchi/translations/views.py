"""Staff pages of the translation workflow (staff UI in Japanese and English only).

Everyone on the staff sees their department's procedures, forms and FAQ (the DX office sees
every department's) and may export them; importing follows the editors of the same content
(:func:`.sources.may_import`): a role that may never import gets 403 on the import page;
another department's procedure or form is a 404.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.core import audit, languages
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import (
    case_handler_required,
    role_required,
    staff_member,
    staff_required,
)

from . import selectors, services, sources, workbook
from .sources import Target

PROCEDURE_EDITORS = (StaffMember.Role.HEAD, StaffMember.Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("Translation workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Per language: how many texts are untranslated or stale."""
    staff = staff_member(request)
    return render(
        request,
        "translations/index.html",
        {"rows": selectors.summary_for(staff), "all_departments": sources.scope(staff) is None},
    )


@staff_required
@require_GET
def language(request: HttpRequest, code: str) -> HttpResponse:
    """One language: what is untranslated and stale, by procedure, form and FAQ."""
    if code not in languages.TRANSLATED_LANGUAGES:
        raise Http404
    staff = staff_member(request)
    rows = selectors.coverage_for(staff, code)
    return render(
        request,
        "translations/language.html",
        {
            "language": languages.BY_CODE[code],
            "rows": rows,
            "missing": sum(r.missing for r in rows),
            "stale": sum(r.stale for r in rows),
            "total": sum(r.total for r in rows),
            "all_departments": sources.scope(staff) is None,
        },
    )


def _export(request: HttpRequest, target: Target) -> HttpResponse:
    texts = target.texts()
    data = workbook.export_workbook(target.sheet_name, texts)
    audit.record(
        request,
        "translations.export",
        target_type=target.kind,
        target_id=target.ident,
        details={"texts": len(texts)},
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="translations-{target.sheet_name}.xlsx"'
    )
    return response


def _import(request: HttpRequest, target: Target) -> HttpResponse:
    staff = staff_member(request)
    if not sources.may_import(staff, target):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            report = services.import_workbook(
                target, form.cleaned_data["workbook"], actor=staff.user
            )
            audit.record(
                request,
                "translations.import",
                target_type=target.kind,
                target_id=target.ident,
                details={
                    "accepted": not report.refused,
                    "problems": len(report.problems),
                    "applied": {c: n.applied for c, n in report.counts.items()},
                    "stale": len(report.stale_keys),
                },
            )
    failed = bool(form.errors) or (report is not None and report.refused)
    return render(
        request,
        "translations/import.html",
        {
            "target": target,
            "form": form,
            "report": report,
            "report_rows": [
                (languages.BY_CODE[code], counts)
                for code, counts in (report.counts.items() if report else ())
            ],
        },
        status=422 if failed else 200,
    )


@staff_required
@require_GET
def procedure_export(request: HttpRequest, slug: str) -> HttpResponse:
    return _export(request, sources.procedure_for(staff_member(request), slug))


@role_required(*PROCEDURE_EDITORS)
@require_http_methods(["GET", "POST"])
def procedure_import(request: HttpRequest, slug: str) -> HttpResponse:
    return _import(request, sources.procedure_for(staff_member(request), slug))


@staff_required
@require_GET
def form_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, sources.form_for(staff_member(request), pk))


@case_handler_required
@require_http_methods(["GET", "POST"])
def form_import(request: HttpRequest, pk: int) -> HttpResponse:
    return _import(request, sources.form_for(staff_member(request), pk))


@staff_required
@require_GET
def faq_export(request: HttpRequest) -> HttpResponse:
    return _export(request, sources.faq_for(staff_member(request)))


@case_handler_required
@require_http_methods(["GET", "POST"])
def faq_import(request: HttpRequest) -> HttpResponse:
    return _import(request, sources.faq_for(staff_member(request)))


@staff_required
@require_GET
def city_export(request: HttpRequest) -> HttpResponse:
    return _export(request, sources.city_for(staff_member(request)))


@role_required(StaffMember.Role.ADMIN)
@require_http_methods(["GET", "POST"])
def city_import(request: HttpRequest) -> HttpResponse:
    return _import(request, sources.city_for(staff_member(request)))
