"""Downloading issued documents (resident, staff) and the public verification page."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from madoguchi.catalog.selectors import get_city
from madoguchi.core import audit, ratelimit
from madoguchi.core.i18n import localized
from madoguchi.residents.permissions import resident_required
from madoguchi.staff.permissions import staff_member, staff_required

from . import selectors
from .forms import TOO_LARGE_MESSAGE, VerifyUploadForm
from .models import IssuedDocument
from .verify import MAX_UPLOAD_BYTES, verify_upload


def _pdf_response(document: IssuedDocument) -> FileResponse:
    try:
        handle = document.pdf.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=f"{document.number}.pdf",
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@resident_required
def resident_download(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """The resident's own document; any other is not found. Audit-logged."""
    document = selectors.get_for_resident(request.user, public_id)
    audit.record(request, "document.download.resident", target_type="issued_document",
                 target_id=str(document.public_id), details={"number": document.number})
    return _pdf_response(document)


@staff_required
def staff_download(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """A document of the staff member's department; others are not found. Audit-logged."""
    staff = staff_member(request)
    if not staff.handles_cases:
        raise PermissionDenied
    document = selectors.get_for_staff(staff, public_id)
    audit.record(request, "document.download.staff", target_type="issued_document",
                 target_id=str(document.public_id), details={"number": document.number})
    return _pdf_response(document)


class UploadLimit(FileUploadHandler):
    """Stops reading an upload past ``limit`` bytes, so a huge file is never stored."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int,
                         boundary: Any, encoding: str | None = None) -> None:
        self.exceeded = content_length > self.limit + 64 * 1024

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.exceeded:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@csrf_exempt  # checked below, after the upload limit is in place
def verify(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Public: what the city issued under this id, and a check of an uploaded file."""
    limit = UploadLimit(request, MAX_UPLOAD_BYTES)
    if request.method == "POST":
        request.upload_handlers.insert(0, limit)
    return _verify(request, public_id, limit)


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def _verify(request: HttpRequest, public_id: uuid.UUID, limit: UploadLimit) -> HttpResponse:
    document = selectors.get_public(public_id)
    city = get_city()
    city_name = localized(city.name) if city else ""
    form, result, message, status = VerifyUploadForm(), None, "", 200
    if request.method == "POST":
        decision = ratelimit.check("verify", ip=audit.client_ip(request))
        if not decision.allowed:
            return ratelimit.refuse(request, decision, _("Too many files were checked in a "
                                                         "short while."))
        form = VerifyUploadForm(request.POST, request.FILES)
        if limit.exceeded:  # the file was dropped unread: say why instead of "choose a file"
            form.errors["file"] = form.error_class([TOO_LARGE_MESSAGE])
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = verify_upload(document, upload.read(MAX_UPLOAD_BYTES + 1))
            message = result.message(city_name, document.number)
        else:
            status = 422
    return render(request, "issuance/verify.html", {
        "document": document,
        "procedure": document.application.procedure,
        "department": document.application.department,
        "form": form,
        "result": result,
        "message": message,
        "city_name": city_name,
    }, status=status)
