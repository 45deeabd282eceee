"""Pages of the pre-application (スマート申請): the resident's at /pre/ (no sign-in needed,
one column, no JavaScript) and the staff page a scanned QR code opens.

The resident's pages are reached by a signed token in the address; they are kept out of caches
and other sites' referrer headers.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.catalog.models import LifeEvent
from madoguchi.forms.fields import FieldError
from madoguchi.staff.permissions import case_handler_required, staff_member

from . import interview, person, selectors, services
from . import preapplication as pre_app
from .models import PreApplication

MAX_EVENTS = 10


def _private(response: HttpResponse) -> HttpResponse:
    """Out of shared caches; the token never leaves the site ("same-origin", not
    "no-referrer": the browser would then send ``Origin: null`` and fail the CSRF check)."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _text(request: HttpRequest, name: str, limit: int = 80) -> str:
    value = request.POST.get(name, "")
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def _found(token: str) -> tuple[PreApplication, dict[str, Any]]:
    pre = pre_app.by_token(token)
    if pre is None:
        raise Http404(_("This pre-application does not exist or has expired."))
    return pre, pre_app.data(pre)


def _chosen_events(pre_data: dict[str, Any]) -> list[LifeEvent]:
    by_slug = {e.slug: e for e in selectors.life_events()}
    return [by_slug[s] for s in pre_data.get("events", []) if s in by_slug]


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: which life events."""
    events = selectors.life_events()
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        known = {e.slug for e in events}
        picked = [s for s in request.POST.getlist("event")[:MAX_EVENTS] if s in known]
        if not picked:
            errors = [{"input_id": f"pre-{events[0].slug}" if events else "",
                       "message": _("Choose at least one life event.")}]
        else:
            try:
                pre = pre_app.start(request, list(dict.fromkeys(picked)))
            except pre_app.PreApplicationRefused as refused:
                messages.error(request, refused.message)
                return redirect("preapp:start")
            return _private(redirect("preapp:events", pre_app.token_of(pre)))
    return render(request, "counter/pre/start.html", {"events": events, "errors": errors,
                                                      "days": pre_app.days()},
                  status=422 if errors else 200)


@require_http_methods(["GET", "POST"])
def events(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: each chosen event's date and the navigator's questions."""
    pre, pre_data = _found(token)
    chosen = _chosen_events(pre_data)
    if not chosen:
        return redirect("preapp:start")
    stored = {e["slug"]: e["query"] for e in pre_data.get("plan", {}).get("events", [])}
    errors: dict[str, dict[str, str]] = {}
    household = person.household_field()
    household_raw: Any = household.raw_from_value(pre_data.get("plan", {}).get("typed", []))
    household_error = ""
    feedback: Any = None
    if request.method == "POST":
        stored = {e.slug: {k: _text(request, f"{e.slug}-{k}") for k in
                           ["date", *(q.key for q in e.questions.all())]} for e in chosen}
        household_raw = household.raw_from_post(request.POST)
        action = request.POST.get("_action", "")
        if isinstance(action, str) and action.startswith(f"{household.key}:"):
            household_raw, feedback = household.action(
                household_raw, action[len(household.key) + 1:][:60])
        else:
            members: list[dict[str, Any]] = []
            if not household.is_empty(household_raw):
                try:
                    members = household.clean(household_raw)
                except FieldError as exc:
                    household_error = exc.message
            plan = [{"slug": s, "query": q} for s, q in stored.items()]
            checked = selectors.plan({"plan": {"events": plan}}, timezone.localdate())
            errors = {c.event.slug: c.errors for c in checked.checklists if c.errors}
            if not errors and not household_error:
                pre_app.save_plan(pre, plan, members)
                return _private(redirect("preapp:answers", token))
    rows = [{"event": e, "date": stored.get(e.slug, {}).get("date", ""),
             "date_error": errors.get(e.slug, {}).get("date", ""),
             "questions": [{"q": q, "value": stored.get(e.slug, {}).get(q.key, ""),
                            "error": errors.get(e.slug, {}).get(q.key, "")}
                           for q in e.questions.all()]} for e in chosen]
    summary = [{"input_id": f"pre-{r['event'].slug}-date", "message": r["date_error"]}
               for r in rows if r["date_error"]]
    summary += [{"input_id": f"pre-{r['event'].slug}-{item['q'].key}", "message": item["error"]}
                for r in rows for item in r["questions"] if item["error"]]
    if household_error:
        summary.append({"input_id": f"f-{household.key}", "message": household_error})
    return _private(render(request, "counter/pre/events.html", {
        "rows": rows, "errors": summary, "token": token, "household": household,
        "household_raw": household_raw, "household_error": household_error,
        "household_feedback": feedback},
        status=422 if errors or household_error else 200))


@require_http_methods(["GET", "POST"])
def answers(request: HttpRequest, token: str) -> HttpResponse:
    """Step 3: the questions of the forms that apply, each asked once. An empty answer is
    left for the counter; an answer given is checked as on the resident pages."""
    pre, pre_data = _found(token)
    if not pre_data.get("plan"):
        return redirect("preapp:events", token)
    today = timezone.localdate()
    sources = pre_app.sources(pre_data, today)
    questions = pre_app.resident_questions(sources)
    typed = pre_data.get("plan", {}).get("typed", [])
    members = person.member_values(person.typed_members(typed))
    raw: dict[str, Any] = {**interview.prefill(questions, members), **pre_data.get("raw", {})}
    errors: dict[str, str] = {}
    feedback: dict[str, Any] = {}
    if request.method == "POST":
        result = interview.read(questions, sources, request.POST)
        raw = result.raw
        action = request.POST.get("_action", "")
        if isinstance(action, str) and action:
            feedback = interview.act(questions, raw, action[:100])
        else:
            errors = {q.name: result.errors[q.name] for q in questions
                      if q.name in result.errors and not q.field.is_empty(raw[q.name])}
            if not errors:
                pre_app.complete(request, pre, raw, result.answers,
                                 {**members, **pre_app.concept_values(questions,
                                                                      result.answers)})
                return _private(redirect("preapp:code", token))
    rows = [{"question": q, "field": q.field, "raw": raw.get(q.name, q.field.raw_from_value(None)),
             "error": errors.get(q.name, ""), "feedback": feedback.get(q.name)}
            for q in questions]
    plan = selectors.plan(pre_data, today)
    return _private(render(request, "counter/pre/answers.html", {
        "rows": rows, "sources": sources, "items": plan.items, "token": token,
        "errors": [{"message": errors[q.name], "input_id": q.field.input_id}
                   for q in questions if q.name in errors]},
        status=422 if errors else 200))


def qr_svg(url: str) -> str:
    """The QR code of ``url`` (the staff page's address with the code) as inline SVG."""
    return str(segno.make(url, error="m").svg_inline(scale=4, omitsize=True,
                                                      svgclass="preapp__qr-svg"))


@require_http_methods(["GET"])
def code(request: HttpRequest, token: str) -> HttpResponse:
    """Step 4: the code and its QR code to show at the counter."""
    pre, pre_data = _found(token)
    if pre.completed_at is None:
        return redirect("preapp:answers", token)
    code_ = str(pre_data.get("code", ""))
    url = request.build_absolute_uri(reverse("counter:preapp", args=[code_]))
    plan = selectors.plan(pre_data, timezone.localdate())
    return _private(render(request, "counter/pre/code.html", {
        "code": pre_app.display_code(code_), "qr": qr_svg(url), "expires_at": pre.expires_at,
        "items": plan.items, "token": token}))


# --- staff: the page a scanned QR code opens ---------------------------------------------------
@require_http_methods(["GET"])
@case_handler_required
def staff_open(request: HttpRequest, code: str) -> HttpResponse:
    """Choose the visit that takes the pre-application (nothing is opened by a GET)."""
    normal = pre_app.normalize_code(code)
    if normal is None:
        raise Http404
    staff = staff_member(request)
    visits = [v for v in selectors.visits_for(staff, timezone.localdate())
              if v.department_id == staff.department_id and v.state == v.State.OPEN]
    return render(request, "counter/pre/staff_open.html", {
        "code": pre_app.display_code(normal), "visits": visits})


@require_POST
@case_handler_required
def staff_open_walk_in(request: HttpRequest, code: str) -> HttpResponse:
    """A walk-in visit opened with the pre-application; the clerk then confirms identity."""
    staff = staff_member(request)
    visit = services.open_visit(request, staff)
    try:
        pre_app.open_for_visit(request, staff, visit, code)
    except pre_app.PreApplicationRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The pre-application was opened. Confirm the resident's "
                                    "identity."))
    return redirect("counter:identify", visit.public_id)
