"""The counter's pages (mounted at /staff/counter/): thin views over services and selectors.

Staff pages need both sign-in factors and a role that handles cases; a visit answers 404 to a
clerk whose department neither holds it nor still has to act on it. The resident-facing screen
is reached with a signed token instead (it shows that visit only).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.applications.services import SubmissionRefused
from madoguchi.catalog.selectors import get_city
from madoguchi.forms.fields import FieldError
from madoguchi.issuance.pdf import PrintingRefused
from madoguchi.jp import wareki
from madoguchi.jp.errors import JPValueError
from madoguchi.registry.plugins import ConnectorError, ResidentQuery
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import case_handler_required, staff_member

from . import documents, interview, measures, person, selectors, services, signature
from . import preapplication as pre_app
from .models import Visit
from .tokens import screen_token, visit_of_token

MAX_QUERY = 60
MAX_RECORD_ID = 200  # a connector's record id, e.g. the file import's 64-hex keyed hash
VisitView = Callable[..., HttpResponse]


def _visit_view(view: VisitView) -> VisitView:
    """A staff page of one visit: the clerk and the visit, or 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, visit_id: uuid.UUID, **kwargs: Any) -> HttpResponse:
        staff = staff_member(request)
        visit = selectors.visit_for(staff, visit_id)
        if visit is None:
            raise Http404
        if request.method == "POST":  # the keys the clerk pressed on the page that posted
            measures.add_keys(visit, request.POST.get(measures.KEYS_FIELD))
        return view(request, staff, visit, **kwargs)

    return case_handler_required(wrapper)


def _step_view(view: VisitView) -> VisitView:
    """A step that changes the visit (``_visit_view``): for the department holding it while it is
    open; anyone else is sent back to the visit page."""

    @wraps(view)
    def holder_only(request: HttpRequest, staff: StaffMember, visit: Visit,
                    **kwargs: Any) -> HttpResponse:
        if visit.department_id != staff.department_id or visit.state != Visit.State.OPEN:
            messages.error(request, _("Only the department serving the visit can change it now."))
            return redirect("counter:visit", visit.public_id)
        return view(request, staff, visit, **kwargs)

    return _visit_view(holder_only)


def _htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's ``request.htmx``): the page answers with
    the part it replaces; without JavaScript the same POST answers with the whole page."""
    return bool(getattr(request, "htmx", False))


def _text(request: HttpRequest, name: str, limit: int = MAX_QUERY) -> str:
    value = request.POST.get(name, request.GET.get(name, ""))
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def _context(visit: Visit, step: str, **extra: Any) -> dict[str, Any]:
    return {"visit": visit, "step": step, "name": selectors.data(visit).get("name", ""),
            **extra}


# --- the start page ----------------------------------------------------------------------------
@require_http_methods(["GET"])
@case_handler_required
def index(request: HttpRequest) -> HttpResponse:
    staff = staff_member(request)
    today = timezone.localdate()
    return render(request, "counter/index.html", {
        "tickets": selectors.called_tickets(staff, today),
        "visits": selectors.visits_for(staff, today), "staff": staff})


@require_POST
@case_handler_required
def open_visit(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("ticket", "")
    ticket_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    if raw and ticket_id is None:
        raise Http404
    try:
        visit = services.open_visit(request, staff_member(request), ticket_id=ticket_id)
    except services.VisitRefused:
        messages.error(request, _("This ticket cannot be served here now."))
        return redirect("counter:index")
    return redirect("counter:identify", visit.public_id)


# --- b. identify -------------------------------------------------------------------------------
def _query(request: HttpRequest) -> tuple[ResidentQuery, str]:
    birth: dt.date | None = None
    error = ""
    raw_birth = _text(request, "birth_date")
    if raw_birth:
        try:
            birth = wareki.parse_date(raw_birth)
        except JPValueError:
            error = _("Enter the date of birth like 1980-04-01 or 昭和55年4月1日.")
    code = _text(request, "resident_code")
    return ResidentQuery(name=_text(request, "name"), kana=_text(request, "kana"),
                         birth_date=birth, resident_code=code), error


@require_http_methods(["GET", "POST"])
@_step_view
def identify(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    if request.method == "POST" and "code" in request.POST:
        try:
            pre_app.open_for_visit(request, staff, visit, _text(request, "code", pre_app.MAX_INPUT))
        except pre_app.PreApplicationRefused as wrong:
            messages.error(request, wrong.message)
        else:
            messages.success(request, _("The pre-application was opened. Confirm the "
                                        "resident's identity."))
        return redirect("counter:plan" if visit.identified else "counter:identify",
                        visit.public_id)
    found = selectors.connector()
    context = _context(visit, "identify", connector=found[0] if found else "",
                       preapp=bool(selectors.data(visit).get("preapp")),
                       values={k: _text(request, k) for k in
                               ("name", "kana", "birth_date", "resident_code")})
    if found is None:
        return render(request, "counter/identify.html", context)
    query, error = _query(request)
    if error:
        context["error"] = error
    elif not query.is_empty():
        try:
            if request.method == "POST" and "record" in request.POST:
                record_id = _text(request, "record", MAX_RECORD_ID)
                if services.identify_from_registry(request, staff, visit, query, record_id):
                    return redirect("counter:plan", visit.public_id)
                context["error"] = _("Choose the resident from the list.")
            context["records"] = services.look_up(request, visit, query)
        except ConnectorError:
            context["error"] = _("The resident registry does not answer now. Try again, or "
                                 "type the resident's data.")
    if _htmx(request) and request.method == "POST":
        # only the results are replaced (htmx swaps a 200 answer; the error is in it)
        return render(request, "counter/_records.html", context)
    status = 422 if context.get("error") else 200
    return render(request, "counter/identify.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_step_view
def new_resident(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    spec = person.NEW_RESIDENT
    page = spec.pages[0]
    # what the resident typed at home (a pre-application), for the clerk to check against
    # their identity document
    told = (selectors.data(visit).get("preapp") or {}).get("values", {})
    raw: dict[str, Any] = {f.key: f.raw_from_value(told[person.concept_of_key(f.key)])
                           for f in page.value_fields if person.concept_of_key(f.key) in told}
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw, clean, errors = spec.validate_page(page, request.POST)
        if not errors:
            services.identify_new(request, staff, visit, clean)
            return redirect("counter:plan", visit.public_id)
    fields = [{"field": f, "raw": raw.get(f.key, f.raw_from_value(None)),
               "error": errors.get(f.key, "")} for f in page.value_fields]
    return render(request, "counter/new_resident.html", _context(
        visit, "identify", fields=fields,
        errors=[{"message": errors[f.key], "input_id": f.input_id}
                for f in page.value_fields if f.key in errors]),
        status=422 if errors else 200)


# --- c. life events and procedures -------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@_step_view
def plan(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    data = selectors.data(visit)
    if not visit.identified:
        return redirect("counter:identify", visit.public_id)
    events = selectors.life_events()
    stored = {e["slug"]: e["query"] for e in data.get("plan", {}).get("events", [])}
    chosen_members = set(data.get("plan", {}).get("members", []))
    errors: dict[str, dict[str, str]] = {}
    typed = person.household_field()
    typed_raw: Any = typed.raw_from_value(data.get("plan", {}).get("typed", []))
    typed_error = ""
    if request.method == "POST":
        picked = set(request.POST.getlist("event"))
        stored = {}
        for event in events:
            if event.slug not in picked:
                continue
            keys = ["date", *(q.key for q in event.questions.all())]
            stored[event.slug] = {k: _text(request, f"{event.slug}-{k}") for k in keys}
        chosen_members = set(request.POST.getlist("member"))
        typed_raw = typed.raw_from_post(request.POST)
        action = request.POST.get("_action", "")
        if isinstance(action, str) and action.startswith(f"{typed.key}:"):
            # "add a household member" (or remove one): the page again, nothing is saved
            typed_raw, feedback = typed.action(typed_raw, action[len(typed.key) + 1:][:60])
            page = PlanPage(events, stored, chosen_members, {}, typed, typed_raw, "", feedback,
                            "row" if action.endswith(":add") else "add")
            if _htmx(request):  # only the household members' part is replaced
                return render(request, "counter/_household.html", page.context(data))
            return _plan_page(request, visit, data, page, status=200)
        typed_rows: list[dict[str, Any]] = []
        if not typed.is_empty(typed_raw):
            try:
                typed_rows = typed.clean(typed_raw)
            except FieldError as exc:
                typed_error = exc.message
        today = timezone.localdate()
        checked = selectors.plan({"plan": {"events": [
            {"slug": s, "query": q} for s, q in stored.items()]}}, today)
        errors = {c.event.slug: c.errors for c in checked.checklists if c.errors}
        if not stored:
            messages.error(request, _("Choose at least one life event."))
        elif not errors and not typed_error:
            services.save_plan(request, staff, visit,
                               [{"slug": s, "query": q} for s, q in stored.items()],
                               sorted(chosen_members), typed_rows)
            return redirect("counter:procedures", visit.public_id)
    failed = bool(errors or typed_error or (request.method == "POST" and not stored))
    page = PlanPage(events, stored, chosen_members, errors, typed, typed_raw, typed_error, None)
    return _plan_page(request, visit, data, page, status=422 if failed else 200)


@dataclass
class PlanPage:
    """What the life-events page shows (see :func:`plan`)."""

    events: list[Any]
    stored: dict[str, dict[str, str]]
    chosen_members: set[str]
    errors: dict[str, dict[str, str]]
    typed: Any
    typed_raw: Any
    typed_error: str
    typed_feedback: Any
    focus: str = ""  # after adding a member: "row" (its first answer); after removing: "add"

    def context(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"household": data.get("household", []), "chosen_members": self.chosen_members,
                "typed": self.typed, "typed_raw": self.typed_raw,
                "typed_error": self.typed_error, "typed_feedback": self.typed_feedback,
                "typed_focus": self.focus}


def _plan_page(request: HttpRequest, visit: Visit, data: dict[str, Any], page: PlanPage, *,
               status: int) -> HttpResponse:
    rows = [{"event": e, "chosen": e.slug in page.stored, "values": page.stored.get(e.slug, {}),
             "errors": page.errors.get(e.slug, {}),
             "questions": [{"q": q, "value": page.stored.get(e.slug, {}).get(q.key, ""),
                            "error": page.errors.get(e.slug, {}).get(q.key, "")}
                           for q in e.questions.all()]}
            for e in page.events]
    summary = ([{"message": page.typed_error, "input_id": page.typed.input_id}]
               if page.typed_error else [])
    return render(request, "counter/plan.html", _context(
        visit, "plan", rows=rows, errors=summary, **page.context(data)), status=status)


@require_http_methods(["GET", "POST"])
@_step_view
def procedures(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    found = selectors.plan(selectors.data(visit), timezone.localdate())
    fileable = found.fileable()
    if request.method == "POST":
        slugs = [s for s in request.POST.getlist("form") if s in fileable]
        if not slugs:
            messages.error(request, _("Choose at least one form to file at this counter."))
        else:
            services.choose_forms(request, staff, visit, slugs,
                                  [d.pk for d in found.departments])
            return redirect("counter:interview", visit.public_id)
    chosen = set(visit.forms) or set(fileable)
    return render(request, "counter/procedures.html", _context(
        visit, "procedures", items=found.items, fileable=fileable, chosen=chosen),
        status=422 if request.method == "POST" else 200)


# --- d. the interview --------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@_step_view
def interview_page(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    sources = selectors.sources(visit)
    if not sources:
        return redirect("counter:procedures", visit.public_id)
    data = selectors.data(visit)
    questions = interview.build_questions(sources)
    values = person.derive({**(data.get("preapp") or {}).get("values", {}),
                            **data.get("person", {}), **data.get("members", {})})
    prefilled = pre_app.prefill(questions, data)
    for name, value in interview.prefill(questions, values).items():
        # a group the pre-application answered keeps those rows (they hold more than names)
        if not (name in prefilled and isinstance(value, list)):
            prefilled[name] = value
    raw = {**prefilled, **data.get("raw", {})}
    errors: dict[str, str] = {}
    feedback: dict[str, Any] = {}
    if request.method == "POST":
        result = interview.read(questions, sources, request.POST, request.FILES)
        raw = result.raw
        action = request.POST.get("_action", "")
        check = request.POST.get("_check", "")
        if _htmx(request) and isinstance(check, str) and check:
            # one answer checked as the clerk leaves a part of it: only its message comes back
            # (the inputs stay as typed; an empty answer is left for the whole page's check)
            asked = next((q for q in questions if q.name == check[:100] and _checkable(q)),
                         None)
            if asked is None:
                raise Http404
            error = ("" if asked.field.is_empty(raw[asked.name])
                     else result.errors.get(asked.name, ""))
            return render(request, "counter/_check.html", {"name": asked.name, "check": error})
        if isinstance(action, str) and action:
            feedback = interview.act(questions, raw, action[:100])
        elif result.errors:
            errors = result.errors
        else:
            services.save_interview(request, staff, visit, raw, result.answers)
            measures.record_fields(visit, measures.field_counts(questions, prefilled, raw))
            return redirect("counter:visit", visit.public_id)
    rows = [{"question": q, "field": q.field, "raw": raw.get(q.name, q.field.raw_from_value(None)),
             "error": errors.get(q.name, ""), "feedback": feedback.get(q.name),
             "checkable": _checkable(q)}
            for q in questions]
    return render(request, "counter/interview.html", _context(
        visit, "interview", rows=rows, sources=sources,
        errors=[{"message": errors[q.name], "input_id": q.field.input_id}
                for q in questions if q.name in errors],
        shared=sum(1 for q in questions if len(q.targets) > 1)),
        status=422 if errors else 200)


def _checkable(question: interview.Question) -> bool:
    """Whether a question is checked alone as the clerk leaves a part of it (htmx): not a file
    (htmx would post it without the file) nor a repeating group (its rows have buttons of
    their own that post the page)."""
    return question.field.type_name not in ("file", "group")


# --- e. the resident's screen, f. sending and the summary -------------------------------------
def _review(visit: Visit) -> list[dict[str, Any]]:
    """Procedure by procedure, what will be sent (masked where the form says sensitive)."""
    answers = selectors.data(visit).get("answers", {})
    return [{"source": s, "pages": s.spec.summary(answers.get(s.slug, {}), masked=True)}
            for s in selectors.sources(visit)]


@require_http_methods(["GET", "POST"])
def screen(request: HttpRequest, token: str) -> HttpResponse:
    """The screen facing the resident: what will be sent, and the button to confirm it."""
    public_id = visit_of_token(token)
    visit = selectors.visit_by_public_id(public_id) if public_id else None
    if visit is None:
        raise Http404
    signing = selectors.signing(visit)
    error = ""
    if request.method == "POST" and visit.state == Visit.State.OPEN:
        try:
            given = signature.read(request.POST) if signing else None
        except signature.SignatureRefused as refused:
            error = refused.message
        else:
            with contextlib.suppress(services.VisitRefused):
                services.confirm(request, visit, given)
            return redirect("counter:screen", token)
    response = render(request, "counter/screen.html", {
        "visit": visit, "review": _review(visit), "token": token,
        "ready": bool(selectors.data(visit).get("answers")),
        "signing": signing, "signature_error": error,
        "signed": selectors.signature(visit), "width": signature.WIDTH,
        "height": signature.HEIGHT}, status=422 if error else 200)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # the token never leaves the site
    city = get_city()
    response.ruby = bool(city and city.ruby_on_counter_screen)  # type: ignore[attr-defined]
    return response


@require_http_methods(["GET"])
@_visit_view
def visit_page(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    """The visit: where it stands, the resident screen's link, sending, handoff and timeline."""
    return render(request, "counter/visit.html", _context(
        visit, "visit", events=selectors.timeline(visit), review=_review(visit),
        screen_url=request.build_absolute_uri(
            reverse("counter:screen", args=[screen_token(visit.public_id)])),
        holder=visit.department_id == staff.department_id,
        may_take_over=staff.department_id in visit.pending_departments,
        pending=selectors.departments(visit.pending_departments),
        applications=selectors.applications(visit),
        signing=selectors.signing(visit) if visit.state == Visit.State.OPEN else [],
        signed=selectors.signature(visit)))


@require_POST
@_visit_view
def send(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    if visit.department_id != staff.department_id:
        raise Http404
    try:
        services.send(request, staff, visit)
    except services.VisitRefused:
        messages.error(request, _("The resident has not confirmed on their screen yet."))
        return redirect("counter:visit", visit.public_id)
    except SubmissionRefused as exc:
        messages.error(request, _("Nothing was sent: a form refused its answers (%(message)s). "
                                  "Check the interview.") % {"message": exc.message
                                                             or ", ".join(exc.errors)})
        return redirect("counter:visit", visit.public_id)
    measures.record_sent(visit)
    return redirect("counter:summary", visit.public_id)


@require_http_methods(["GET"])
@_visit_view
def summary(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    """The printable sheet for the resident: what was done today and what is next."""
    found = selectors.plan(selectors.data(visit), timezone.localdate())
    applications = selectors.applications(visit)
    filed = {a.procedure_id for a in applications}
    return render(request, "counter/summary.html", _context(
        visit, "summary", applications=applications,
        remaining=[i for i in found.items if i.procedure.pk not in filed],
        today=timezone.localdate(),
        paper=documents.paper_items(visit, timezone.localdate()),
        printing_problem=documents.printing_problem()))


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET"])
@_visit_view
def summary_pdf(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    """The summary sheet as an A4 PDF (audit-logged); back to the page, saying why, when the
    server cannot print it."""
    today = timezone.localdate()
    try:
        data = documents.render_summary(documents.summary_of(visit, today))
    except PrintingRefused as exc:
        messages.error(request, exc.user_message())
        return redirect("counter:summary", visit.public_id)
    services.record_printed(request, visit, "summary")
    return _pdf(data, f"summary-{today:%Y%m%d}.pdf")


@require_http_methods(["GET"])
@_visit_view
def paper_pdf(request: HttpRequest, staff: StaffMember, visit: Visit, slug: str
              ) -> HttpResponse:
    """The pre-filled sheet of a procedure of the visit done on paper (audit-logged)."""
    today = timezone.localdate()
    sheet = documents.paper_of(visit, slug, today)
    if sheet is None:
        raise Http404
    try:
        data = documents.render_paper(sheet)
    except PrintingRefused as exc:
        messages.error(request, exc.user_message())
        return redirect("counter:summary", visit.public_id)
    services.record_printed(request, visit, f"paper:{sheet.slug}")
    return _pdf(data, f"{sheet.slug}-{today:%Y%m%d}.pdf")


# --- g. handoff and end ------------------------------------------------------------------------
@require_POST
@_visit_view
def take_over(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    try:
        services.take_over(request, staff, visit)
    except services.VisitRefused:
        messages.error(request, _("Your department has nothing left to do for this visit."))
    else:
        messages.success(request, _("You have taken the visit over."))
    return redirect("counter:visit", visit.public_id)


@require_POST
@_visit_view
def end(request: HttpRequest, staff: StaffMember, visit: Visit) -> HttpResponse:
    if visit.department_id != staff.department_id:
        raise Http404
    services.end(request, staff, visit)
    measures.record_end(visit)
    messages.success(request, _("The visit has ended."))
    return redirect("counter:index")
