"""Resident pages of the navigator (手続きナビ): choose an event, answer, read the checklist.

Everything travels in the query string (GET), so the checklist's address is its share link and
nothing a resident typed is stored. The pages work with JavaScript off.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors
from .selectors import DATE_PARAM


def _event_or_404(slug: str):  # a LifeEvent
    event = selectors.event_with_questions(slug)
    if event is None:
        raise Http404
    return event


def _private(response: HttpResponse) -> HttpResponse:
    """The answers are in the address: keep the page out of shared caches and other sites'
    referrer headers."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Step 1: which life event."""
    return render(request, "catalog/navigator/home.html",
                  {"events": selectors.published_events()})


@require_GET
def questions(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 2: the event's date and a few facts (filled in again from the query string when the
    resident comes back to change an answer)."""
    event = _event_or_404(slug)
    raw = {key: str(value)[:80] for key, value in request.GET.items()}
    return _private(render(request, "catalog/navigator/questions.html", {
        "event": event, "questions": _question_rows(event.questions.all(), raw, {}),
        "raw_date": raw.get(DATE_PARAM, ""), "errors": [],
    }))


def _question_rows(questions, raw: dict[str, str], errors: dict[str, str]) -> list[dict]:
    return [{"q": q, "raw": raw.get(q.key, ""), "error": errors.get(q.key, "")}
            for q in questions]


def _checklist_or_form(request: HttpRequest, slug: str, template: str) -> HttpResponse:
    event = _event_or_404(slug)
    checklist = selectors.build_checklist(event, request.GET, timezone.localdate())
    if checklist.errors:
        summary = []
        if DATE_PARAM in checklist.errors:
            summary.append({"input_id": "navi-date", "message": checklist.errors[DATE_PARAM]})
        summary += [{"input_id": f"navi-{q.key}", "message": checklist.errors[q.key]}
                    for q in checklist.questions if q.key in checklist.errors]
        return _private(render(request, "catalog/navigator/questions.html", {
            "event": event, "errors": summary, "date_error": checklist.errors.get(DATE_PARAM),
            "raw_date": checklist.raw.get(DATE_PARAM, ""),
            "questions": _question_rows(checklist.questions, checklist.raw, checklist.errors),
        }))
    query = urlencode(checklist.params)
    if dict(request.GET.lists()) != {k: [v] for k, v in checklist.params.items()}:
        # The address becomes the share link: the date in ISO form, no other parameters.
        return _private(redirect(f"{request.path}?{query}"))
    share_path = f"{reverse('catalog:navi_checklist', args=[event.slug])}?{query}"
    answered = [(q, checklist.answers[q.key]) for q in checklist.questions]
    return _private(render(request, template, {
        "event": event, "checklist": checklist, "answered": answered,
        "today": timezone.localdate(), "share_url": request.build_absolute_uri(share_path),
        "print_path": f"{reverse('catalog:navi_print', args=[event.slug])}?{query}",
        "checklist_path": share_path,
        "change_path": f"{reverse('catalog:navi_questions', args=[event.slug])}?{query}",
        "generated_at": timezone.now(),
    }))


@require_GET
def checklist(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 3: the personal checklist (or the questions again, with what to correct)."""
    return _checklist_or_form(request, slug, "catalog/navigator/checklist.html")


@require_GET
def checklist_print(request: HttpRequest, slug: str) -> HttpResponse:
    """The checklist on A4: no navigation, every detail, the link to come back to it."""
    return _checklist_or_form(request, slug, "catalog/navigator/print.html")
