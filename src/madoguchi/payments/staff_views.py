"""Staff pages of fees paid online: the department's payments, a payment and its refunds,
asking a resident to pay after review, the reconciliation of a settlement file, a
procedure's fee."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.applications import selectors as application_selectors
from madoguchi.catalog import selectors as catalog_selectors
from madoguchi.core import audit
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import case_handler_required, role_required, staff_member

from . import reconciliation as rec
from . import selectors, services
from .models import Charged, FeeExemption, FeeSchedule, PaymentState, RefundRequest
from .plugins import payment_providers
from .views import refusal_message

DECIDER_ROLES = (StaffMember.Role.APPROVER, StaffMember.Role.HEAD)
RECONCILE_ROLES = (StaffMember.Role.TREASURY, StaffMember.Role.HEAD)
PAGE = 200


def _int(value: str) -> int | None:
    value = value.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    value = value.replace(",", "")
    return int(value) if value.isdigit() and len(value) <= 9 else None


@case_handler_required
def payment_list(request: HttpRequest) -> HttpResponse:
    """The department's payments (newest first), by status."""
    staff = staff_member(request)
    status = request.GET.get("status", "")[:20]
    payments = list(selectors.for_department(staff, status=status)[:PAGE])
    audit.record(request, "payments.list.view", target_type="department",
                 target_id=str(staff.department_id),
                 details={"status": status, "count": len(payments)})
    return render(request, "payments/staff/list.html", {
        "payments": payments, "status": status, "statuses": PaymentState.choices,
        "refunds": list(selectors.open_refunds(staff)), "staff": staff,
        "can_reconcile": staff.role in RECONCILE_ROLES,
    })


@case_handler_required
def payment_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A payment: amounts, provider, history, refunds, and the refund request form."""
    staff = staff_member(request)
    payment = selectors.get_for_staff(staff, public_id)
    audit.record(request, "payments.payment.view", target_type="payment",
                 target_id=payment.reference)
    return render(request, "payments/staff/detail.html", {
        "payment": payment, "events": payment.events.all(),
        "refunds": payment.refunds.select_related("requested_by", "decided_by"),
        "refundable": payment.amount - payment.refunded,
        "can_refund": payment.status in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED),
        "can_decide": staff.role in DECIDER_ROLES, "staff": staff,
    })


@case_handler_required
@require_POST
def refund_request(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A clerk asks for a refund (an approver or the head decides)."""
    payment = selectors.get_for_staff(staff_member(request), public_id)
    amount = _int(request.POST.get("amount", "")[:20])
    try:
        refund = services.request_refund(payment, amount=amount or 0,
                                         reason=request.POST.get("reason", "")[:2000],
                                         user=request.user)
    except services.PaymentRefused as exc:
        messages.error(request, refusal_message(exc.code))
    else:
        audit.record(request, "payments.refund.request", target_type="payment",
                     target_id=payment.reference, details={"amount": refund.amount})
        messages.success(request, _("The refund request was sent for approval."))
    return redirect("payments_staff:detail", public_id=payment.public_id)


@role_required(*DECIDER_ROLES)
@require_POST
def refund_decide(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """An approver or the head approves (the provider refunds) or rejects a refund request."""
    staff = staff_member(request)
    refund = get_object_or_404(RefundRequest, public_id=public_id,
                               payment__department_id=staff.department_id)
    approve = request.POST.get("decision") == "approve"
    try:
        refund = services.decide_refund(refund, approve=approve, user=request.user)
    except services.PaymentRefused as exc:
        messages.error(request, refusal_message(exc.code))
    else:
        audit.record(request, "payments.refund.decide", target_type="payment",
                     target_id=refund.payment.reference,
                     details={"approve": approve, "state": refund.state,
                              "amount": refund.amount})
        if refund.state == RefundRequest.State.DONE:
            messages.success(request, _("The refund was made."))
        elif refund.state == RefundRequest.State.FAILED:
            messages.error(request, _("The payment service refused the refund: %(error)s")
                           % {"error": refund.error})
        else:
            messages.success(request, _("The refund request was rejected."))
    return redirect("payments_staff:detail", public_id=refund.payment.public_id)


@case_handler_required
@require_POST
def request_payment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """After review: ask the resident to pay (copies and an accepted exemption)."""
    staff = staff_member(request)
    application = application_selectors.get_for_staff(staff, public_id)
    copies = _int(request.POST.get("copies", "1")[:10]) or 0
    try:
        payment = services.request_payment(application, copies=copies,
                                           exemption=request.POST.get("exemption", "")[:40])
    except services.PaymentRefused as exc:
        messages.error(request, refusal_message(exc.code))
    else:
        audit.record(request, "payments.request", target_type="application",
                     target_id=str(application.public_id),
                     details={"amount": payment.amount, "reference": payment.reference})
        messages.success(request, _("The resident was asked to pay %(amount)s yen.")
                         % {"amount": f"{payment.amount:,}"})
    return redirect("staff:case", public_id=application.public_id)


@case_handler_required
@require_POST
def approve_with_fee(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """承認 of a case whose fee is charged after review: the clerk states the copies (and an
    accepted exemption), the case is approved and the resident asked to pay, in one step."""
    staff = staff_member(request)
    application = application_selectors.get_for_staff(staff, public_id)
    copies = _int(request.POST.get("copies", "")[:10]) or 0
    exemption = request.POST.get("exemption", "")[:40]
    try:
        approved = services.approve_with_fee(application, actor=request.user, copies=copies,
                                             exemption=exemption)
    except services.PaymentRefused as exc:
        messages.error(request, refusal_message(exc.code))
    else:
        audit.record(request, "payments.approve_with_fee", target_type="application",
                     target_id=str(application.public_id),
                     details={"amount": approved.amount, "copies": copies,
                              "exemption": exemption,
                              "reference": approved.payment.reference if approved.payment
                              else ""})
        if approved.payment is None:
            messages.success(request, _("Approved. The exemption covers the whole fee: "
                                        "nothing is to be paid."))
        else:
            messages.success(request, _("Approved. The resident was asked to pay %(amount)s "
                                        "yen.") % {"amount": f"{approved.amount:,}"})
    return redirect("staff:case", public_id=application.public_id)


def _labels() -> dict[str, str]:
    return {"matched": _("Matched"), "amount_differs": _("Amount differs"),
            "missing_in_file": _("Missing in the settlement file"),
            "missing_in_records": _("Not in the city's records")}


def _file_error(exc: rec.SettlementFileError) -> str:
    if exc.code == "encoding":
        return _("The file is not a CSV file in UTF-8 or Shift_JIS.")
    if exc.code == "size":
        return _("The file is too large (5 MB at most).")
    if exc.code == "columns":
        return _("The file lacks the columns reporting_category, gross and "
                 "payment_metadata[reference]. Download the itemized payout reconciliation "
                 "report from the payment service.")
    return _("Line %(line)d has an amount that is not a whole number of yen.") % {
        "line": exc.line}


@role_required(*RECONCILE_ROLES)
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Upload the provider's settlement file of a day; see (or download) the differences."""
    staff = staff_member(request)
    errors: list[str] = []
    report = None
    typed_day = request.POST.get("date", "")[:20] or (
        timezone.localdate() - dt.timedelta(days=1)).isoformat()
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(typed_day.strip())
        except ValueError:
            day = None
            errors.append(_("Enter the day as YYYY-MM-DD."))
        upload = request.FILES.get("file")
        if upload is None:
            errors.append(_("Choose the settlement file (CSV)."))
        if not errors and day is not None and upload is not None:
            try:
                settled = rec.parse(rec.decode(upload.read(rec.MAX_BYTES + 1)))
            except rec.SettlementFileError as exc:
                errors.append(_file_error(exc))
            else:
                report = _reconcile(staff, day, settled)
                audit.record(request, "payments.reconciliation", target_type="day",
                             target_id=day.isoformat(), details={
                                 "matched": len(report.matched), "differs": len(report.differs),
                                 "missing_in_file": len(report.missing_in_file),
                                 "missing_in_records": len(report.missing_in_records)})
                if request.POST.get("format") == "csv":
                    data = rec.report_csv(report, _labels(), [
                        _("Result"), _("Payment reference"), _("City's amount (yen)"),
                        _("Settled amount (yen)")])
                    response = HttpResponse(data, content_type="text/csv; charset=cp932")
                    response["Content-Disposition"] = content_disposition_header(
                        True, f"reconciliation-{day.isoformat()}.csv")
                    return response
    return render(request, "payments/staff/reconciliation.html", {
        "report": report, "errors": errors, "typed_day": typed_day, "labels": _labels(),
    }, status=422 if errors else 200)


def _reconcile(staff: StaffMember, day: dt.date, settled: dict[str, int]) -> rec.Report:
    """The treasury reconciles every department; a head their own department only."""
    department = None if staff.role == StaffMember.Role.TREASURY else staff.department_id
    start, end = rec.day_bounds(day, timezone.get_current_timezone())
    expected = [rec.Expected(p.reference, p.amount - p.refunded,
                             p.application.receipt_number or "")
                for p in selectors.settled_between(start, end, department_id=department)]
    if department is not None:
        owners = selectors.departments_of(list(settled))
        settled = {ref: amount for ref, amount in settled.items()
                   if owners.get(ref, department) == department}
    return rec.reconcile(settled, expected)


@require_http_methods(["GET", "POST"])
@role_required(StaffMember.Role.ADMIN)
def procedure_fee(request: HttpRequest, slug: str) -> HttpResponse:
    """A procedure's fee: yen per copy, postage, copies, when charged, exemptions."""
    staff = staff_member(request)
    procedure = catalog_selectors.department_procedure(staff.department_id, slug)
    schedule = selectors.schedule_of(procedure.pk)
    errors: list[str] = []
    values = {
        "per_copy": str(schedule.per_copy) if schedule else "0",
        "postage": str(schedule.postage) if schedule else "0",
        "max_copies": str(schedule.max_copies) if schedule else "10",
        "charged": schedule.charged if schedule else Charged.AFTER_REVIEW,
        "exemptions": "\n".join(localized_label(e) for e in schedule.exemptions.all())
        if schedule else "",
    }
    if request.method == "POST":
        values = {key: request.POST.get(key, "")[:2000] for key in values}
        per_copy, postage = _int(values["per_copy"]), _int(values["postage"])
        max_copies = _int(values["max_copies"])
        if per_copy is None or postage is None:
            errors.append(_("Enter the fee and the postage as whole numbers of yen."))
        if max_copies is None or not 1 <= max_copies <= 100:
            errors.append(_("Enter the most copies per application, from 1 to 100."))
        if values["charged"] not in Charged.values:
            errors.append(_("Choose when the fee is charged."))
        labels = [line.strip()[:100] for line in values["exemptions"].splitlines()
                  if line.strip()][:10]
        if not errors:
            _save_fee(procedure, per_copy or 0, postage or 0, max_copies or 10,
                      values["charged"], labels)
            audit.record(request, "payments.fee.save", target_type="procedure",
                         target_id=procedure.slug, details={"per_copy": per_copy,
                                                            "postage": postage})
            messages.success(request, _("The fee was saved."))
            return redirect("payments_staff:procedure_fee", slug=procedure.slug)
    return render(request, "payments/staff/fee.html", {
        "procedure": procedure, "values": values, "errors": errors,
        "charged_choices": Charged.choices,
        "providers": [p.label for p in payment_providers
                      if not p.demo or services.demo_enabled()],
    }, status=422 if errors else 200)


def localized_label(exemption: FeeExemption) -> str:
    return exemption.label.get("ja") or next(iter(exemption.label.values()), "")


def _save_fee(procedure, per_copy: int, postage: int, max_copies: int, charged: str,
              labels: list[str]) -> None:
    with transaction.atomic():
        schedule, _created = FeeSchedule.objects.update_or_create(
            procedure=procedure, defaults={"per_copy": per_copy, "postage": postage,
                                           "max_copies": max_copies, "charged": charged})
        kept = []
        for index, label in enumerate(labels, start=1):
            existing = next((e for e in schedule.exemptions.all()
                             if localized_label(e) == label), None)
            if existing is None:
                existing = FeeExemption.objects.create(
                    schedule=schedule, code=f"x{index}-{uuid.uuid4().hex[:6]}",
                    label={"ja": label, "en": label}, covers_postage=False)
            kept.append(existing.pk)
        schedule.exemptions.exclude(pk__in=kept).delete()

