"""Staff pages that export a procedure's applications for the core systems, and the export log.

Every export is audit-logged as ``application.export`` on the department, with the rows written
and the characters CP932 could not hold. A CSV is streamed, so its row count is known only when
the last row has been sent: the audit event is written then, by the stream itself (see
:func:`madoguchi.applications.exports.csv_stream`). ``audit.record`` reads only ``request.user``
and ``request.META``, both still there after the view returned, so the view hands the stream a
closure over the request. If the download is interrupted, the event says ``completed: false``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.catalog.models import Procedure
from madoguchi.core import audit, language_names
from madoguchi.core.models import AuditEvent
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp.errors import JPValueError
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import staff_member, staff_required

from . import exports
from .models import Status

AUDIT_ACTION = "application.export"
LOG_PAGE_SIZE = 20
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    exports.ExportFormat.CSV_UTF8: "text/csv; charset=utf-8",
    exports.ExportFormat.CSV_CP932: "text/csv; charset=Windows-31J",
}
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
MAX_DATE_INPUT = 40


class JapaneseDateField(forms.DateField):
    """A date typed as 2026-04-01 or in 和暦 (令和8年4月1日, R8.4.1)."""

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if not text:
            return None
        if len(text) > MAX_DATE_INPUT:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            day = jp_wareki.parse_date(text)
        except (JPValueError, ValueError, OverflowError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return day


class ExportForm(forms.Form):
    """The fields, filters and file format of one export."""

    columns = forms.MultipleChoiceField(
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose the fields to include from the "
                                                       "list."),
                        "invalid_list": gettext_lazy("Choose the fields to include from the "
                                                     "list.")},
    )
    status = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose the status from the list.")},
    )
    submitted_from = JapaneseDateField(
        required=False,
        error_messages={"invalid": gettext_lazy("Enter the first day like 2026-04-01 or "
                                                "令和8年4月1日.")},
    )
    submitted_to = JapaneseDateField(
        required=False,
        error_messages={"invalid": gettext_lazy("Enter the last day like 2026-04-30 or "
                                                "令和8年4月30日.")},
    )
    format = forms.ChoiceField(
        choices=exports.ExportFormat.choices,
        error_messages={"required": gettext_lazy("Choose the file format."),
                        "invalid_choice": gettext_lazy("Choose the file format.")},
    )

    def __init__(self, *args: Any, columns: list[exports.FieldColumn], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = [(c.key, c.label) for c in columns]
        self.fields["status"].choices = [("", _("All statuses")), *Status.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("submitted_from"), data.get("submitted_to")
        if first and last and first > last:
            self.add_error("submitted_to", _("The last day must be the same as or after the "
                                             "first day."))
        return data


def _exporter(request: HttpRequest) -> StaffMember:
    """The staff member, if they may export: the DX office reads statistics only."""
    staff = staff_member(request)
    if not staff.handles_cases:
        raise PermissionDenied
    return staff


def _error_list(form: ExportForm) -> list[dict[str, str]]:
    return [{"id": f"f-{name}", "message": str(message)}
            for name, messages in form.errors.items() for message in messages]


@staff_required
@require_http_methods(["GET", "POST"])
def export_applications(request: HttpRequest) -> HttpResponseBase:
    """Choose a procedure, then its fields, filters and format; a valid POST downloads the file."""
    staff = _exporter(request)
    data = request.POST if request.method == "POST" else request.GET
    if not data.get("procedure"):
        return _render_form(request, staff, procedure=None, form=None, columns=[])
    procedure = exports.get_procedure_for_export(staff, data.get("procedure"))
    fields_by_version = exports.version_fields(procedure)
    with translation.override(language_names.office_language()):  # the form's Japanese labels
        columns = exports.field_columns(fields_by_version)
    if request.method == "GET":
        initial = {"columns": [c.key for c in columns if not c.sensitive],
                   "format": exports.ExportFormat.CSV_UTF8}
        form = ExportForm(columns=columns, initial=initial)
        return _render_form(request, staff, procedure=procedure, form=form, columns=columns)
    form = ExportForm(request.POST, columns=columns)
    if not form.is_valid():
        return _render_form(request, staff, procedure=procedure, form=form, columns=columns)
    chosen = set(form.cleaned_data["columns"])
    job = exports.ExportJob(
        procedure=procedure,
        department_id=staff.department_id,
        columns=tuple(c for c in columns if c.key in chosen),
        fields_by_version=fields_by_version,
        format=form.cleaned_data["format"],
        sees_sensitive=staff.sees_sensitive,
        language=language_names.office_language(),
        status=form.cleaned_data["status"] or "",
        submitted_from=form.cleaned_data["submitted_from"],
        submitted_to=form.cleaned_data["submitted_to"],
    )
    return _download(request, staff, job)


def _render_form(
    request: HttpRequest, staff: StaffMember, *, procedure: Procedure | None,
    form: ExportForm | None, columns: list[exports.FieldColumn],
) -> HttpResponse:
    chosen = set()
    if form is not None:
        value = form["columns"].value() or []
        chosen = {v for v in value if isinstance(v, str)}
    last = (AuditEvent.objects.filter(action=AUDIT_ACTION, actor=request.user)
            .order_by("-at", "-pk").first())
    return render(
        request,
        "applications/staff/export.html",
        {
            "staff": staff,
            "procedures": exports.procedures_for_export(staff),
            "procedure": procedure,
            "form": form,
            "columns": [{"column": c, "checked": c.key in chosen} for c in columns],
            "fixed_columns": [str(label) for _key, label in exports.FIXED_COLUMNS],
            "errors": _error_list(form) if form is not None and form.is_bound else [],
            "last_export": last,
            "last_replaced": (last.details.get("replaced_count", 0)
                              if last is not None and isinstance(last.details, dict) else 0),
            "geta": exports.GETA,
        },
    )


def _record(
    request: HttpRequest, staff: StaffMember, job: exports.ExportJob, result: exports.ExportResult
) -> None:
    audit.record(request, AUDIT_ACTION, target_type="department",
                 target_id=str(staff.department_id), details=exports.audit_details(job, result))


def _download(request: HttpRequest, staff: StaffMember, job: exports.ExportJob) -> HttpResponseBase:
    on_finish = partial(_record, request, staff, job)
    if job.format == exports.ExportFormat.XLSX:
        # Written to an anonymous temporary file (no name on disk), then streamed from it.
        handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
        try:
            exports.write_xlsx(job, handle, on_finish)
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=job.filename,
                            content_type=XLSX_CONTENT_TYPE)
    response = StreamingHttpResponse(exports.csv_stream(job, on_finish),
                                     content_type=CONTENT_TYPES[job.format])
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    return response


@staff_required
@require_GET
def export_log(request: HttpRequest) -> HttpResponse:
    """The department's recent exports, with the characters CP932 could not hold."""
    staff = _exporter(request)
    events = AuditEvent.objects.filter(
        action=AUDIT_ACTION, target_type="department", target_id=str(staff.department_id)
    ).order_by("-at", "-pk")
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    formats = dict(exports.ExportFormat.choices)
    entries = []
    for event in page:
        details = event.details if isinstance(event.details, dict) else {}
        replaced = details.get("replaced")
        entries.append({
            "event": event,
            "procedure": details.get("procedure_name") or details.get("procedure", ""),
            "format": formats.get(details.get("format"), details.get("format", "")),
            "rows": details.get("rows", 0),
            "completed": details.get("completed", False),
            "truncated": details.get("truncated", False),
            "masked": details.get("masked", False),
            "fields": len(details.get("fields") or []),
            "replaced": [r for r in replaced if isinstance(r, dict)]
            if isinstance(replaced, list) else [],
            "replaced_count": details.get("replaced_count", 0),
        })
    return render(request, "applications/staff/export_log.html",
                  {"staff": staff, "page": page, "entries": entries, "geta": exports.GETA})
