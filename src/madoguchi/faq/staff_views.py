"""Staff pages: the department's FAQ, its inquiries inbox with replies, and the questions the
FAQ did not answer. Another department's entry or inquiry is a 404; every view of an inquiry
(personal data) is audit-logged."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.catalog.models import Procedure
from madoguchi.core import audit
from madoguchi.staff.models import Department
from madoguchi.staff.permissions import case_handler_required, staff_member

from . import selectors, services
from .forms import EntryForm, ReplyForm
from .models import FaqEntry, Inquiry

PAGE_SIZE = 50


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


# --- FAQ entries -------------------------------------------------------------------------------


@case_handler_required
def entry_list(request: HttpRequest) -> HttpResponse:
    staff = staff_member(request)
    page = Paginator(selectors.entries_for_staff(staff), PAGE_SIZE).get_page(
        _page_number(request))
    return render(request, "faq/staff/entries.html", {"staff": staff, "page": page})


def _entry_form(request: HttpRequest, staff, entry: FaqEntry | None) -> HttpResponse:
    procedures = list(Procedure.objects.filter(department_id=staff.department_id))
    initial = {"sort": 100}
    if entry is not None:
        initial = {
            "question_ja": entry.question.get("ja", ""),
            "question_en": entry.question.get("en", ""),
            "answer_ja": entry.answer.get("ja", ""), "answer_en": entry.answer.get("en", ""),
            "keywords": "、".join(entry.keywords or []),
            "procedure": str(entry.procedure_id or ""), "sort": entry.sort,
            "is_published": entry.is_published,
        }
    form = EntryForm(request.POST or None, procedures=procedures, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        procedure = form.procedures.get(data["procedure"] or "")
        entry = services.save_entry(
            department=staff.department, actor=request.user, entry=entry,
            question={"ja": data["question_ja"], "en": data["question_en"]},
            answer={"ja": data["answer_ja"], "en": data["answer_en"]},
            keywords=data["keywords"], is_published=data["is_published"], sort=data["sort"],
            procedure_id=procedure.pk if procedure else None,
        )
        messages.success(request, _("The question was saved.") if not entry.is_published
                         else _("The question was saved and published."))
        return redirect("faq_staff:entries")
    return render(request, "faq/staff/entry_form.html",
                  {"staff": staff, "form": form, "entry": entry})


@case_handler_required
def entry_new(request: HttpRequest) -> HttpResponse:
    return _entry_form(request, staff_member(request), None)


@case_handler_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    staff = staff_member(request)
    return _entry_form(request, staff, selectors.entry_for_staff(staff, pk))


@case_handler_required
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks once, naming the question, then deletes it (logged)."""
    staff = staff_member(request)
    entry = selectors.entry_for_staff(staff, pk)
    if request.method == "POST":
        audit.record(request, "faq.delete", target_type="faq_entry", target_id=str(entry.pk),
                     details={"question": entry.question.get("ja", "")[:200]})
        services.delete_entry(entry)
        messages.success(request, _("The question was deleted."))
        return redirect("faq_staff:entries")
    return render(request, "faq/staff/entry_delete.html", {"staff": staff, "entry": entry})


# --- Inquiries ---------------------------------------------------------------------------------


@case_handler_required
def inquiry_list(request: HttpRequest) -> HttpResponse:
    staff = staff_member(request)
    status = request.GET.get("status", "")
    status = status if status in Inquiry.Status.values else ""
    page = Paginator(selectors.inquiries_for_staff(staff, status), PAGE_SIZE).get_page(
        _page_number(request))
    audit.record(request, "inquiry.list.staff", target_type="department",
                 target_id=str(staff.department_id), details={"status": status})
    counts = selectors.inquiry_counts(staff)
    tabs = [(value, label, counts[value]) for value, label in Inquiry.Status.choices]
    return render(request, "faq/staff/inquiries.html",
                  {"staff": staff, "page": page, "status": status, "tabs": tabs})


def _log(request: HttpRequest, action: str, inquiry: Inquiry, **details: object) -> None:
    """Audit-log a staff member's step on the inquiry."""
    audit.record(request, action, target_type="inquiry", target_id=str(inquiry.public_id),
                 details=details)


def _to_inquiry(inquiry: Inquiry) -> HttpResponse:
    return redirect("faq_staff:inquiry", public_id=inquiry.public_id)


def _render_inquiry(request: HttpRequest, staff, inquiry: Inquiry, form: ReplyForm,
                    status: int = 200) -> HttpResponse:
    _log(request, "inquiry.view.staff", inquiry)
    others = Department.objects.exclude(pk=inquiry.department_id).order_by("id")
    return render(request, "faq/staff/inquiry.html",
                  {"staff": staff, "inquiry": inquiry, "form": form, "departments": others,
                   "thread": inquiry.messages.select_related("author__staff_profile")},
                  status=status)


@case_handler_required
def inquiry_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    staff = staff_member(request)
    inquiry = selectors.inquiry_for_staff(staff, public_id)
    return _render_inquiry(request, staff, inquiry, ReplyForm())


@case_handler_required
@require_POST
def inquiry_reply(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Answer the resident: the thread is updated and they are notified."""
    staff = staff_member(request)
    inquiry = selectors.inquiry_for_staff(staff, public_id)
    if inquiry.status == Inquiry.Status.CLOSED:
        messages.error(request, _("This inquiry is closed."))
        return _to_inquiry(inquiry)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render_inquiry(request, staff, inquiry, form)
    try:
        services.staff_reply(inquiry, author=request.user, body=form.cleaned_data["body"])
    except services.InquiryError:
        messages.error(request, _("This inquiry is closed."))
    else:
        _log(request, "inquiry.reply.staff", inquiry)
        messages.success(request, _("Your answer was sent. The resident is notified."))
    return _to_inquiry(inquiry)


@case_handler_required
@require_POST
def inquiry_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    staff = staff_member(request)
    inquiry = selectors.inquiry_for_staff(staff, public_id)
    if inquiry.status != Inquiry.Status.CLOSED:
        services.close_inquiry(inquiry)
        _log(request, "inquiry.close.staff", inquiry)
        messages.success(request, _("The inquiry is closed."))
    return _to_inquiry(inquiry)


@case_handler_required
@require_POST
def inquiry_forward(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Pass the inquiry to another department (it then leaves this department's inbox)."""
    staff = staff_member(request)
    inquiry = selectors.inquiry_for_staff(staff, public_id)
    code = request.POST.get("department", "")[:50]
    target = Department.objects.exclude(pk=inquiry.department_id).filter(code=code).first()
    if target is None:
        messages.error(request, _("Choose the department to pass it to."))
        return _to_inquiry(inquiry)
    try:
        services.forward_inquiry(inquiry, department=target)
    except services.InquiryError:
        messages.error(request, _("This inquiry is closed."))
        return _to_inquiry(inquiry)
    _log(request, "inquiry.forward.staff", inquiry, to=target.code)
    messages.success(request, _("The inquiry was passed to %(department)s.")
                     % {"department": target})
    return redirect("faq_staff:inquiries")


# --- Questions the FAQ did not answer ----------------------------------------------------------


@case_handler_required
def unanswered(request: HttpRequest) -> HttpResponse:
    """What residents asked that the FAQ did not answer, grouped, most asked first."""
    staff = staff_member(request)
    return render(request, "faq/staff/unanswered.html",
                  {"staff": staff, "rows": selectors.unanswered_questions()})


@case_handler_required
@require_POST
def make_draft(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """「FAQ にする」: a draft entry in the staff member's department, opened for editing."""
    staff = staff_member(request)
    question = selectors.chat_question(public_id)
    if question is None:
        messages.error(request, _("This question is no longer in the list."))
        return redirect("faq_staff:unanswered")
    entry = services.draft_from_question(question, department=staff.department,
                                         actor=request.user)
    messages.success(request, _("A draft was made. Write the answer, then publish it."))
    return redirect("faq_staff:entry_edit", pk=entry.pk)
