"""Staff pages of the BPR worksheets (under /staff/bpr/).

Who may do what: a department **head** reads and edits the worksheets of their department's
procedures (another department's answer 404); the **DX office** and **administrators** read and
edit every worksheet. Other roles (clerks, approvers, counter staff) get 403. Every change, export,
import and attachment download is recorded in the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.catalog.models import Procedure
from madoguchi.core import audit
from madoguchi.staff.permissions import role_required, staff_member

from . import excel, selectors, services
from .forms import EvidenceForm, ImportForm, StepForm
from .models import Evidence, Step, View, Worksheet, WorksheetVersion

EDITORS = selectors.EDITOR_ROLES
ATTACHMENT_CSP = "default-src 'none'; sandbox"


def _posted(request: HttpRequest) -> tuple[object, object]:
    """(data, files) of a POST, even an empty one; (None, None) for a GET."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _procedure(request: HttpRequest, slug: str) -> Procedure:
    """A procedure the staff member may work on (else 404)."""
    return get_object_or_404(selectors.visible_procedures(staff_member(request)), slug=slug)


def _worksheet(request: HttpRequest, slug: str) -> Worksheet:
    procedure = _procedure(request, slug)
    return get_object_or_404(Worksheet.objects.select_related("procedure"), procedure=procedure)


def _step(request: HttpRequest, slug: str, pk: int) -> Step:
    worksheet = _worksheet(request, slug)
    return get_object_or_404(Step.objects.select_related("worksheet", "worksheet__procedure"),
                             pk=pk, worksheet=worksheet)


def _audit(request: HttpRequest, action: str, worksheet: Worksheet, **details: object) -> None:
    audit.record(request, f"bpr.{action}", target_type="bpr_worksheet",
                 target_id=worksheet.procedure.slug, details=dict(details))


def _views_context(worksheet: Worksheet) -> dict[str, object]:
    steps = selectors.view_steps(worksheet)
    hours = selectors.hours_per_year([worksheet.id])[worksheet.id]
    rows = {view: [{"step": s, "hours": selectors.step_hours(s)} for s in items]
            for view, items in steps.items()}
    return {
        "worksheet": worksheet, "procedure": worksheet.procedure, "hours": hours,
        "sections": [
            {"view": View.AS_IS, "label": View.AS_IS.label, "rows": rows[View.AS_IS],
             "hours": hours.as_is, "id": "as-is"},
            {"view": View.TO_BE, "label": View.TO_BE.label, "rows": rows[View.TO_BE],
             "hours": hours.to_be, "id": "to-be"},
        ],
    }


@role_required(*EDITORS)
def index(request: HttpRequest) -> HttpResponse:
    """The procedures the staff member may work on, with their worksheet's hours a year."""
    staff = staff_member(request)
    return render(request, "bpr/index.html", {
        "rows": selectors.worksheet_list(staff),
        "all_departments": staff.role in selectors.ALL_DEPARTMENT_ROLES,
    })


@role_required(*EDITORS)
def worksheet(request: HttpRequest, slug: str) -> HttpResponse:
    """Both views of a procedure's worksheet, their hours a year, and a form to add a row."""
    procedure = _procedure(request, slug)
    sheet = Worksheet.objects.filter(procedure=procedure).first()
    if sheet is None:
        return render(request, "bpr/worksheet_missing.html", {"procedure": procedure})
    context = _views_context(sheet)
    for section in context["sections"]:  # type: ignore[attr-defined]
        section["form"] = StepForm(worksheet=sheet, view=section["view"],
                                   prefix=section["view"])
    return render(request, "bpr/worksheet.html", context)


@role_required(*EDITORS)
@require_POST
def worksheet_create(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _procedure(request, slug)
    with transaction.atomic():
        sheet = services.create_worksheet(procedure, author=request.user)
        _audit(request, "worksheet.create", sheet)
    return redirect("bpr:worksheet", slug=slug)


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def step_new(request: HttpRequest, slug: str, view: str) -> HttpResponse:
    """Add a row at the end of a view (the worksheet page posts its add-row form here)."""
    sheet = _worksheet(request, slug)
    if view not in View.values:
        raise Http404
    form = StepForm(_posted(request)[0], worksheet=sheet, view=view,
                    prefix=view if request.method == "POST" and f"{view}-action" in request.POST
                    else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                step = services.add_step(sheet, view, form.step_data(), author=request.user)
                _audit(request, "step.add", sheet, view=view, order=step.order)
        except services.WorksheetError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Step %(order)s was added.") % {"order": step.order})
            return redirect(reverse("bpr:worksheet", args=[slug]) + f"#step-{step.pk}")
    return render(request, "bpr/step_form.html",
                  {"form": form, "worksheet": sheet, "procedure": sheet.procedure,
                   "view_label": View(view).label, "step": None},
                  status=422 if form.errors else 200)


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def step_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    step = _step(request, slug, pk)
    sheet = step.worksheet
    form = StepForm(_posted(request)[0], worksheet=sheet, view=step.view, step=step)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_step(step, form.step_data(), author=request.user)
                _audit(request, "step.change", sheet, view=step.view, order=step.order)
        except services.WorksheetError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Step %(order)s was saved.") % {"order": step.order})
            return redirect(reverse("bpr:worksheet", args=[slug]) + f"#step-{step.pk}")
    return render(request, "bpr/step_form.html",
                  {"form": form, "worksheet": sheet, "procedure": sheet.procedure,
                   "view_label": step.get_view_display(), "step": step},
                  status=422 if form.errors else 200)


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def step_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    step = _step(request, slug, pk)
    has_evidence = step.evidence.exists()
    if request.method == "POST" and not has_evidence:
        with transaction.atomic():
            _audit(request, "step.delete", step.worksheet, view=step.view, order=step.order)
            services.delete_step(step, author=request.user)
        messages.success(request, _("The step was deleted."))
        return redirect("bpr:worksheet", slug=slug)
    return render(request, "bpr/step_delete.html",
                  {"step": step, "worksheet": step.worksheet,
                   "procedure": step.worksheet.procedure, "has_evidence": has_evidence},
                  status=409 if request.method == "POST" else 200)


@role_required(*EDITORS)
@require_POST
def step_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    step = _step(request, slug, pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Choose up or down."))
    else:
        with transaction.atomic():
            if services.move_step(step, offset, author=request.user):
                _audit(request, "step.move", step.worksheet, view=step.view, order=step.order)
    return redirect(reverse("bpr:worksheet", args=[slug]) + f"#step-{step.pk}")


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def evidence(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A step's evidence log (append-only) and the form to add an entry."""
    step = _step(request, slug, pk)
    form = EvidenceForm(*_posted(request),
                        initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                entry = services.add_evidence(step, date=data["date"], who=data["who"],
                                              agreed=data["agreed"], author=request.user,
                                              attachment=data.get("attachment"))
                _audit(request, "evidence.add", step.worksheet, view=step.view,
                       order=step.order, entry=entry.pk)
        except services.WorksheetError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The entry was added to the evidence log."))
            return redirect("bpr:evidence", slug=slug, pk=step.pk)
    return render(request, "bpr/evidence.html",
                  {"step": step, "worksheet": step.worksheet,
                   "procedure": step.worksheet.procedure, "form": form,
                   "entries": step.evidence.select_related("author__staff_profile")},
                  status=422 if form.errors else 200)


@role_required(*EDITORS)
def evidence_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """Download an evidence attachment (only through this page, audit-logged)."""
    sheet = _worksheet(request, slug)
    entry = get_object_or_404(Evidence, pk=pk, step__worksheet=sheet)
    if not entry.attachment:
        raise Http404
    _audit(request, "evidence.download", sheet, entry=entry.pk)
    try:
        handle = entry.attachment.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True,
                            filename=entry.attachment_name or entry.attachment.name,
                            content_type=entry.attachment_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    return response


@role_required(*EDITORS)
def versions(request: HttpRequest, slug: str) -> HttpResponse:
    sheet = _worksheet(request, slug)
    return render(request, "bpr/versions.html", {
        "worksheet": sheet, "procedure": sheet.procedure,
        "versions": sheet.versions.select_related("author__staff_profile")})


@role_required(*EDITORS)
def version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One saved version's steps, as they were."""
    sheet = _worksheet(request, slug)
    saved = get_object_or_404(WorksheetVersion.objects.select_related("author__staff_profile"),
                              worksheet=sheet, number=number)
    return render(request, "bpr/version.html", {
        "worksheet": sheet, "procedure": sheet.procedure, "version": saved,
        "sections": selectors.snapshot_sections(saved.snapshot)})


@role_required(*EDITORS)
def print_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Both views on A4 landscape paper."""
    sheet = _worksheet(request, slug)
    context = _views_context(sheet)
    context["printed_at"] = timezone.localtime()
    return render(request, "bpr/print.html", context)


@role_required(*EDITORS)
def export(request: HttpRequest, slug: str) -> HttpResponse:
    sheet = _worksheet(request, slug)
    data = excel.export_workbook(sheet)
    _audit(request, "worksheet.export", sheet, version=sheet.version)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="bpr-{sheet.procedure.slug}-v{sheet.version}.xlsx"')
    return response


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Replace both views with an edited workbook; any bad cell changes nothing."""
    sheet = _worksheet(request, slug)
    form = ImportForm(*_posted(request))
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        result = services.import_workbook(sheet, upload, author=request.user)
        _audit(request, "worksheet.import", sheet, accepted=result.version is not None,
               problems=len(result.problems))
        if result.version is not None:
            messages.success(request, _("The workbook was imported as version %(n)s.")
                             % {"n": result.version.number})
            return redirect("bpr:worksheet", slug=slug)
        problems = result.problems
    return render(request, "bpr/import.html",
                  {"worksheet": sheet, "procedure": sheet.procedure, "form": form,
                   "problems": problems},
                  status=422 if (problems or form.errors) else 200)
