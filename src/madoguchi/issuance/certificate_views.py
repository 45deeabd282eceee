"""The clerk's page 「住民票の写しを作成」: match the case's verified identity to the registry,
print the certificate, mark it posted. Every page that shows registry data is audit-logged
(by ``registry.services``, with the case)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.applications import selectors as application_selectors
from madoguchi.applications import timeline
from madoguchi.applications.models import Application
from madoguchi.core import audit
from madoguchi.jp.errors import JPValueError
from madoguchi.jp.wareki import parse_date
from madoguchi.staff.permissions import case_handler_required, staff_member

from . import certificates, pdf
from .certificates import CertificateRefused, refusal_message


def _case(request: HttpRequest, public_id: uuid.UUID) -> Application:
    application = application_selectors.get_for_staff(staff_member(request), public_id)
    if not certificates.is_postal(application):
        raise Http404
    return application


def _day(text: str) -> dt.date | None:
    try:
        return parse_date(text.strip()) if text.strip() else None
    except (JPValueError, ValueError):
        return None


@case_handler_required
@require_http_methods(["GET"])
def certificate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The request, the matched registry record (or the records to choose from), the print
    button and the posting form."""
    application = _case(request, public_id)
    asked = certificates.request_of(application)
    chosen = certificates.certificate_of(application)
    record = None
    proposal = None
    found = None
    searched = {
        "name": request.GET.get("name", "")[:120],
        "birth_date": request.GET.get("birth_date", "")[:20],
    }
    fee_cleared = timeline.cleared(application)
    approved = application.status in ("approved", "issued")
    if approved and fee_cleared:
        if chosen is not None:
            record, _members = certificates.registry_services.read_for_case(
                request,
                chosen.source,
                chosen.record_id,
                case=str(application.public_id),
                purpose=certificates.PURPOSE,
            )
        if chosen is None or request.GET.get("change"):
            if searched["name"] or searched["birth_date"]:
                found = certificates.search(
                    request,
                    application,
                    name=searched["name"],
                    birth_date=_day(searched["birth_date"]),
                )
            else:
                proposal = certificates.proposal(request, application)
    return render(
        request,
        "issuance/certificate.html",
        {
            "application": application,
            "asked": asked,
            "chosen": chosen,
            "record": record,
            "proposal": proposal,
            "found": found,
            "searched": searched,
            "approved": approved,
            "fee_cleared": fee_cleared,
            "verified": certificates.verified(application),
            "query": certificates.identity_query(application),
            "today": timezone.localdate().isoformat(),
        },
    )


@case_handler_required
@require_POST
def choose(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _case(request, public_id)
    try:
        certificates.choose(
            request,
            application,
            source=request.POST.get("source", "")[:32],
            record_id=request.POST.get("record_id", "")[:64],
            actor=request.user,
        )
    except CertificateRefused as exc:
        messages.error(request, refusal_message(exc.code))
    else:
        messages.success(request, _("The registry record was chosen for the certificate."))
    return redirect("issuance:certificate", public_id=application.public_id)


@case_handler_required
@require_POST
def print_certificate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The certificate as a PDF to print (each print audit-logged)."""
    application = _case(request, public_id)
    try:
        data = certificates.render(request, application)
    except CertificateRefused as exc:
        messages.error(request, refusal_message(exc.code))
        return redirect("issuance:certificate", public_id=application.public_id)
    except pdf.PrintingRefused as exc:
        messages.error(request, exc.user_message())
        return redirect("issuance:certificate", public_id=application.public_id)
    made = certificates.certificate_of(application)
    audit.record(
        request,
        "certificate.print",
        target_type="application",
        target_id=str(application.public_id),
        details={"number": made.number if made else "", "prints": made.prints if made else 0},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"certificate-{application.receipt_number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@case_handler_required
@require_POST
def posted(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """郵送済み with the day it was posted."""
    application = _case(request, public_id)
    day = _day(request.POST.get("posted_on", "")[:20])
    try:
        if day is None:
            raise CertificateRefused("date")
        made = certificates.mark_posted(application, actor=request.user, posted_on=day)
    except CertificateRefused as exc:
        messages.error(request, refusal_message(exc.code))
        return redirect("issuance:certificate", public_id=application.public_id)
    audit.record(
        request,
        "certificate.posted",
        target_type="application",
        target_id=str(application.public_id),
        details={"number": made.number, "posted_on": day.isoformat()},
    )
    messages.success(request, _("Marked as posted. The resident was told."))
    return redirect("staff:case", public_id=application.public_id)
