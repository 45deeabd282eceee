"""Resident pages: the chat (a page that works without JavaScript, and the fragment the chat
panel fetches), the FAQ, and the resident's inquiries (問い合わせ) on the my page."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.core import audit, languages, ratelimit
from madoguchi.residents.permissions import resident_required

from . import selectors, services
from .forms import UNKNOWN_DEPARTMENT, InquiryForm, ReplyForm
from .models import ChatQuestion, FaqEntry, Inquiry


def _language() -> str:
    """The resident language of the page (the chat answers and records in it)."""
    return languages.normalize(translation.get_language()) or languages.BASE_LANGUAGE


def _ask(request: HttpRequest) -> tuple[str, selectors.ChatAnswer, ChatQuestion | None]:
    query = selectors.clean_query(request.GET.get("q", ""))
    answer = selectors.chat_answer(query, _language())
    question = services.record_question(query, _language(), answer.entry_ids) if query else None
    return query, answer, question


def _chat_refused(request: HttpRequest, *, fragment: bool = False) -> HttpResponse | None:
    """The 429 answer when this client asked too many questions lately (an empty one is free)."""
    if not request.GET.get("q", "").strip():
        return None
    decision = ratelimit.check("chat", ip=audit.client_ip(request))
    if decision.allowed:
        return None
    return ratelimit.refuse(request, decision, _("Too many questions were asked in a short "
                                                 "while."), fragment=fragment)


def chat(request: HttpRequest) -> HttpResponse:
    """The chat as a page: the question, the best FAQ answers and procedure links."""
    if refused := _chat_refused(request):
        return refused
    query, answer, question = _ask(request)
    too_long = len(request.GET.get("q", "")) > len(query) + 20
    return render(request, "faq/chat.html", {"query": query, "answer": answer,
                                             "question": question, "too_long": too_long})


def chat_answers(request: HttpRequest) -> HttpResponse:
    """The answers alone, for the chat panel's script to show in place."""
    if refused := _chat_refused(request, fragment=True):
        return refused
    query, answer, question = _ask(request)
    return render(request, "faq/includes/answers.html",
                  {"query": query, "answer": answer, "question": question, "in_panel": True})


@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    """「役に立った / 役に立たなかった」: not helpful leads to the inquiry form, question kept."""
    question = selectors.chat_question(request.POST.get("question", ""))
    verdict = request.POST.get("helpful", "")
    if question is None or verdict not in ("yes", "no"):
        messages.error(request, _("We could not record your answer. Please ask again."))
        return redirect("faq:chat")
    services.set_helpful(question, verdict == "yes")
    if verdict == "no":
        query = urlencode({"question": question.public_id})
        return redirect(f"{reverse('faq:inquiry_new')}?{query}")
    messages.success(request, _("Thank you. Your answer helps us improve the FAQ."))
    return redirect(f"{reverse('faq:chat')}?{urlencode({'q': question.text})}")


def faq_index(request: HttpRequest) -> HttpResponse:
    """Every published question, by department."""
    entries = FaqEntry.objects.filter(is_published=True).select_related("department").order_by(
        "department_id", "sort", "id")
    groups: dict = {}
    for entry in entries:
        groups.setdefault(entry.department, []).append(entry)
    return render(request, "faq/index.html", {"groups": list(groups.items())})


def faq_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.published_entry(pk)
    return render(request, "faq/entry.html", {"entry": entry})


# --- Inquiries (signed-in residents) -----------------------------------------------------------


@resident_required
def inquiry_list(request: HttpRequest) -> HttpResponse:
    inquiries = selectors.inquiries_for_resident(request.user)[:200]
    return render(request, "faq/inquiries.html", {"inquiries": inquiries})


def _inquiry_refused(request: HttpRequest) -> HttpResponse | None:
    """The 429 answer when this resident or client address sent too many messages lately."""
    decision = ratelimit.check("inquiry", ip=audit.client_ip(request), key=str(request.user.pk))
    if decision.allowed:
        return None
    return ratelimit.refuse(request, decision, _("Too many messages were sent in a short "
                                                 "while."))


@resident_required
def inquiry_new(request: HttpRequest) -> HttpResponse:
    """Ask a department. Prefilled from the chat question; the department is pre-selected by
    the question's words, and 「わからない」 sends it where its words point, else to the general
    counter."""
    departments = list(selectors.departments())
    general = selectors.general_counter()
    source = request.POST if request.method == "POST" else request.GET
    question = selectors.chat_question(source.get("question", ""))
    typed = selectors.clean_query(source.get("q", ""))
    if request.method == "POST":
        form = InquiryForm(request.POST, departments=departments, general=general)
        if form.is_valid():
            if refused := _inquiry_refused(request):
                return refused
            code = form.cleaned_data["department"]
            if code == UNKNOWN_DEPARTMENT:  # by the inquiry's own words, else the general counter
                department = selectors.route(
                    f"{form.cleaned_data['subject']} {form.cleaned_data['body']}") or general
            else:
                department = form.departments[code]
            inquiry = services.open_inquiry(
                resident=request.user, department=department,
                subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                chat_question=question,
            )
            messages.success(request, _("Your inquiry was sent to %(department)s. We will tell "
                                        "you by e-mail when they answer.")
                             % {"department": department})
            return redirect("faq:inquiry", public_id=inquiry.public_id)
    else:
        text = question.text if question else typed
        department_code = request.GET.get("department", "")
        if not department_code or department_code not in {d.code for d in departments}:
            # By the question's own words, not by the FAQ entry the chat showed for it.
            routed = selectors.route(text) if text else None
            department_code = routed.code if routed else UNKNOWN_DEPARTMENT
        form = InquiryForm(departments=departments, general=general, initial={
            "department": department_code, "subject": text[:40], "body": text})
    return render(request, "faq/inquiry_new.html",
                  {"form": form, "question": question, "typed": typed})


def _thread(request: HttpRequest, inquiry: Inquiry, form: ReplyForm, status: int = 200
            ) -> HttpResponse:
    return render(request, "faq/inquiry.html",
                  {"inquiry": inquiry, "thread": inquiry.messages.select_related("author"),
                   "form": form}, status=status)


@resident_required
def inquiry_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The thread with the department, and the resident's reply."""
    inquiry = selectors.inquiry_for_resident(request.user, public_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if inquiry.status == Inquiry.Status.CLOSED:
            messages.error(request, _("This inquiry is closed. Please start a new one."))
            return redirect("faq:inquiry", public_id=inquiry.public_id)
        if form.is_valid():
            if refused := _inquiry_refused(request):
                return refused
            services.resident_reply(inquiry, author=request.user, body=form.cleaned_data["body"])
            messages.success(request, _("Your message was sent."))
            return redirect("faq:inquiry", public_id=inquiry.public_id)
    return _thread(request, inquiry, form)


@resident_required
@require_POST
def inquiry_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    inquiry = selectors.inquiry_for_resident(request.user, public_id)
    if inquiry.status != Inquiry.Status.CLOSED:
        services.close_inquiry(inquiry)
        messages.success(request, _("The inquiry is closed."))
    return redirect("faq:inquiry", public_id=inquiry.public_id)
