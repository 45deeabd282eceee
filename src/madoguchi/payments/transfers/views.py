"""Staff pages of subsidies paid by transfer: the treasury's 全銀 file export and the clerk's
confirmation of the amount on the case.

The treasury (会計課) pays out every department's procedures; a head of department their own.
Every page that shows payees' accounts, and every download, is audit-logged."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from madoguchi.applications import selectors as application_selectors
from madoguchi.core import audit
from madoguchi.core.i18n import localized
from madoguchi.jp import zengin_transfer as zt
from madoguchi.jp.errors import JPValueError
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import case_handler_required, role_required, staff_member

from . import files, forms, selectors, services

TRANSFER_ROLES = (StaffMember.Role.TREASURY, StaffMember.Role.HEAD)
AUDIT_RECEIPTS = 200  # receipt numbers kept in a view's audit event
DOWNLOADS = {
    "zengin": "text/plain; charset=Shift_JIS",
    "csv": "text/csv; charset=Shift_JIS",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _day_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def holiday_message(day: dt.date) -> str:
    return _("%(date)s is not a bank business day (Saturdays, Sundays, national holidays and "
             "31 December to 3 January). Choose another day.") % {"date": _day_label(day)}


PAST_MESSAGE = gettext_lazy("The payment day must be after today: the bank needs the file "
                            "before the day it pays.")
DATE_MESSAGE = gettext_lazy("Enter the payment day, e.g. 2026-12-09 or 令和8年12月9日.")


def _refusal_message(exc: services.ExportRefused, day: dt.date) -> str:
    if exc.code == "holiday":
        return holiday_message(day)
    if exc.code == "past":
        return str(PAST_MESSAGE)
    if exc.code == "sender":
        return _("The city's own account for transfers is not set. Ask the system administrator "
                 "to set it in the city settings.")
    if exc.code == "empty":
        return _("Choose at least one payee.")
    if exc.code == "reason":
        return _("%(receipt)s is already in a transfer file. To put it in another one, write "
                 "why.") % {"receipt": exc.receipt}
    return _("The transfer file cannot be written for %(receipt)s: %(detail)s") % {
        "receipt": exc.receipt or "—", "detail": exc.detail}


@role_required(*TRANSFER_ROLES)
@require_GET
def transfers(request: HttpRequest) -> HttpResponse:
    """Choose a procedure and a payment day, see the payees and amounts, make the file."""
    staff = staff_member(request)
    procedures = selectors.payable_procedures(staff)
    errors: list[str] = []
    slug = request.GET.get("procedure", "")[:60]
    procedure = next((p for p in procedures if p.slug == slug), None)
    if slug and procedure is None:
        errors.append(_("Choose a procedure from the list."))
    typed_day = request.GET.get("date", "")[:30]
    payment_day = forms.parse_day(typed_day) if typed_day else None
    if typed_day and payment_day is None:
        errors.append(str(DATE_MESSAGE))
    elif payment_day is not None and payment_day <= timezone.localdate():
        errors.append(str(PAST_MESSAGE))
        payment_day = None
    elif payment_day is not None and not zt.is_bank_business_day(payment_day):
        errors.append(holiday_message(payment_day))
        payment_day = None
    payees, unconfirmed = [], []
    if procedure is not None:
        payees = selectors.payees(procedure)
        unconfirmed = selectors.unconfirmed(procedure)
        audit.record(request, "payments.payees.view", target_type="procedure",
                     target_id=procedure.slug,
                     details={"count": len(payees), "receipts": [
                         p.application.receipt_number for p in payees[:AUDIT_RECEIPTS]]})
    try:
        sender = selectors.sender()
    except selectors.SenderMissing:
        sender = None
    suggested = zt.next_business_day(timezone.localdate() + dt.timedelta(days=1))
    return render(request, "payments/staff/transfers.html", {
        "procedures": procedures, "procedure": procedure, "payees": payees,
        "unconfirmed": unconfirmed, "payment_day": payment_day,
        "typed_day": typed_day or suggested.isoformat(),
        "new_total": sum(p.payout.amount for p in payees if not p.exported),
        "new_count": sum(1 for p in payees if not p.exported),
        "sender": sender, "batches": selectors.batches(staff), "errors": errors,
        "staff": staff,
    }, status=422 if errors else 200)


@role_required(*TRANSFER_ROLES)
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """Make the file of the chosen payees (a repeat needs a reason) and show it."""
    staff = staff_member(request)
    procedure = selectors.payable_procedure(staff, request.POST.get("procedure", ""))
    typed_day = request.POST.get("date", "")[:30]
    back = (f"{reverse('payments_staff:transfers')}?"
            f"{urlencode({'procedure': procedure.slug, 'date': typed_day})}")
    payment_day = forms.parse_day(typed_day)
    if payment_day is None:
        messages.error(request, str(DATE_MESSAGE))
        return redirect(back)
    try:
        batch = services.create_batch(
            request=request, staff=staff, procedure=procedure, payment_date=payment_day,
            public_ids=forms.parse_cases(request.POST.getlist("case")),
            reason=request.POST.get("reason", "")[:services.MAX_REASON],
        )
    except services.ExportRefused as exc:
        messages.error(request, _refusal_message(exc, payment_day))
        return redirect(back)
    messages.success(request, _("The transfer file was made: %(count)d transfers, %(total)s yen "
                                "in all.") % {"count": batch.count, "total": f"{batch.total:,}"})
    return redirect("payments_staff:batch", public_id=batch.public_id)


@role_required(*TRANSFER_ROLES)
@require_GET
def batch(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One file: its payees and amounts, and its downloads."""
    staff = staff_member(request)
    found = selectors.batch_for(staff, public_id)
    rows = selectors.batch_payees(found)
    audit.record(request, "payments.transfer.view", target_type="transfer_batch",
                 target_id=str(found.public_id), details={"count": len(rows)})
    return render(request, "payments/staff/transfer_batch.html", {
        "batch": found, "rows": rows, "downloads": list(DOWNLOADS),
    })


@role_required(*TRANSFER_ROLES)
@require_GET
def download(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    """The 全銀 file, or its check list as CSV (CP932) or Excel."""
    if kind not in DOWNLOADS:
        raise Http404
    staff = staff_member(request)
    found = selectors.batch_for(staff, public_id)
    rows = selectors.batch_payees(found)
    details: dict[str, object] = {"format": kind, "count": len(rows)}
    if kind == "zengin":
        try:
            content = files.zengin_file(found, selectors.sender(), rows)
        except (selectors.SenderMissing, JPValueError):
            messages.error(request, _("The transfer file cannot be written now. Check the city's "
                                      "own account in the city settings."))
            return redirect("payments_staff:batch", public_id=found.public_id)
        name = files.zengin_filename(found)
    elif kind == "csv":
        content, result = files.checklist_csv(files.checklist(found, rows))
        details["replaced"] = result.replaced
        name = files.checklist_filename(found, "csv")
    else:
        content = files.checklist_xlsx(files.checklist(found, rows),
                                       localized(found.procedure.name))
        name = files.checklist_filename(found, "xlsx")
    audit.record(request, "payments.transfer.download", target_type="transfer_batch",
                 target_id=str(found.public_id), details=details)
    response = HttpResponse(content, content_type=DOWNLOADS[kind])
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@case_handler_required
@require_POST
def confirm_amount(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The clerk confirms the case's 支給額 (and, from the review, approves it with it)."""
    staff = staff_member(request)
    application = application_selectors.get_for_staff(staff, public_id)
    amount = forms.parse_amount(request.POST.get("amount", ""))
    approve = request.POST.get("approve") == "1"
    if amount is None:
        messages.error(request, _("Enter the amount paid in yen as a whole number, e.g. 30,000."))
        return redirect("staff:case", public_id=application.public_id)
    try:
        services.confirm_amount(application=application, amount=amount, actor=staff.user,
                                approve=approve, request=request)
    except services.PayoutRefused as exc:
        messages.error(request, {
            "amount": _("The amount paid must be between 1 and 9,999,999,999 yen."),
            "exported": _("This case is already in a transfer file; its amount can no longer "
                          "change."),
            "not_payable": _("This procedure's form has no bank account to pay into."),
        }.get(exc.code, _("The amount can be confirmed when the case is approved.")))
    else:
        messages.success(request, _("The amount paid, %(amount)s yen, was confirmed.")
                         % {"amount": f"{amount:,}"})
    return redirect("staff:case", public_id=application.public_id)
