"""Resident pages: filling a form page by page, checking the answers, submitting, following it.

The draft is saved in the database after every page (see :mod:`.drafts`); a page with errors is
shown again with everything the resident typed, and that is saved too. Forms for residents need
an account; forms for anyone (an event, a survey) work without one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.core import audit, ratelimit
from madoguchi.core.i18n import localized
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.forms import rendering
from madoguchi.forms import selectors as form_selectors
from madoguchi.forms.definition import FormSpec, Page
from madoguchi.forms.models import FormDefinition, FormVersion
from madoguchi.identity.contrib.oidc.provider import oidc_providers
from madoguchi.identity.plugins import AssuranceLevel
from madoguchi.jp.width import to_ascii
from madoguchi.residents import selectors as resident_selectors
from madoguchi.residents.permissions import resident_required

from . import drafts, hooks, selectors, services, tasks, timeline, verified
from .drafts import DraftState

SUBMITTED_SESSION_KEY = "submitted"
# The submission token of the last application sent with each form in this browser, so pressing
# Back after sending (or sending an old page again) says it was sent instead of starting over.
SENT_SESSION_PREFIX = "sent:"


class _Form:
    """The live form behind a URL: its definition, published version and parsed spec."""

    def __init__(self, slug: str) -> None:
        version = form_selectors.live_version(slug)
        if version is None:  # not published, unpublished, or linked to no procedure
            raise Http404
        self.form: FormDefinition = version.form
        self.version: FormVersion = version
        self.spec: FormSpec = form_selectors.spec_of(version)
        if self.spec.access == "counter":  # filed by a clerk at the counter only
            raise Http404


def _applicant(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def form_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Load the live form; forms for residents need a signed-in resident, staff never apply."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        live = _Form(slug)
        if request.user.is_authenticated and not request.user.is_resident:
            raise PermissionDenied
        if live.spec.access != "anyone" and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("residents:login"))
        if live.spec.assurance == "high" and not verified.meets(
                resident_selectors.verified_identity(request)):
            return _needs_card(request, live)
        return view(request, live, *args, **kwargs)

    return wrapper


def _needs_card(request: HttpRequest, live: _Form) -> HttpResponse:
    """A form that needs a card-based sign-in: the providers that can verify the resident."""
    providers = [p for p in oidc_providers("resident") if p.assurance >= AssuranceLevel.HIGH]
    next_path = (request.get_full_path() if request.method == "GET"
                 else reverse("applications:start", args=[live.form.slug]))
    return render(request, "applications/needs_card.html", {
        "form": live.form, "spec": live.spec, "providers": providers, "next": next_path,
    }, status=200 if providers else 503)


def _locked(request: HttpRequest, live: _Form) -> dict[str, Any]:
    """The identity fields of this form the provider verified (their values), for this session."""
    return verified.locked_values(live.spec, resident_selectors.verified_identity(request))


def _draft(request: HttpRequest, live: _Form) -> DraftState:
    return drafts.find_or_start(_applicant(request), request.session, live.version)


@never_cache
@form_access
def start(request: HttpRequest, live: _Form) -> HttpResponse:
    """Begin (or resume) an application at the first page that still needs answers.

    This is where a new application starts on purpose, so an application sent before with
    this form is no longer what Back shows.
    """
    request.session.pop(SENT_SESSION_PREFIX + live.form.slug, None)
    draft = _draft(request, live)
    missing = live.spec.missing_pages(draft.answers, draft.done)
    if not missing:
        return redirect("applications:check", slug=live.form.slug)
    return redirect("applications:page", slug=live.form.slug, page=missing[0].key)


def _render_page(
    request: HttpRequest, live: _Form, page: Page, draft: DraftState, raw: dict[str, Any],
    errors: dict[str, str], returning: bool, feedback: dict[str, Any] | None = None,
) -> HttpResponse:
    spec, slug = live.spec, live.form.slug
    previous = spec.previous_page(page.key, draft.answers)
    context = rendering.page_context(spec, page, raw, errors, feedback or {}, draft.answers)
    locked = _locked(request, live)
    for entry in context["fields"]:
        if entry["field"].key in locked:
            entry["locked"] = entry["field"].display(locked[entry["field"].key])
    if locked:
        who = resident_selectors.verified_identity(request) or {}
        context["verified_by"] = localized({"ja": who.get("label", ""),
                                            "en": who.get("label_en") or who.get("label", "")})
    context.update({
        "form": live.form,
        "back_url": (
            reverse("applications:check", args=[slug]) if returning
            else reverse("applications:page", args=[slug, previous.key]) if previous
            else reverse("catalog:procedure", args=[live.form.procedure.slug])
        ),
        "returning": returning,
        "can_save": True,
        "anonymous": not request.user.is_authenticated,
        "draft_token": draft.token,
    })
    return render(request, "applications/page.html", context, status=422 if errors else 200)


@never_cache
@form_access
@require_http_methods(["GET", "POST"])
def page_view(request: HttpRequest, live: _Form, page: str) -> HttpResponse:
    spec, slug = live.spec, live.form.slug
    current = spec.page(page)
    if current is None:
        raise Http404
    draft = _draft(request, live)
    sent = _sent_before(request, live, draft, request.POST.get("_token", ""))
    if sent is not None:
        return _already_sent(request, live, sent)
    returning = request.GET.get("return") == "check" or request.POST.get("return") == "check"
    if request.method == "GET":
        raw = {f.key: draft.raw.get(f.key, f.raw_from_value(draft.answers.get(f.key)))
               for f in current.value_fields}
        return _render_page(request, live, current, draft, raw, {}, returning)

    action = request.POST.get("_action")
    if action:
        return _field_action(request, live, current, draft, action, returning)

    raw, clean, errors = spec.validate_page(current, request.POST, request.FILES, draft.answers)
    for key, value in _locked(request, live).items():  # what was posted for these is ignored
        if key in raw:
            field = spec.field(key)
            raw[key] = field.raw_from_value(value) if field is not None else raw[key]
            clean[key] = value
            errors.pop(key, None)
    draft.raw.update(raw)
    if errors:
        drafts.save(draft, spec, request.session)
        return _render_page(request, live, current, draft, raw, errors, returning)
    for field in current.value_fields:
        draft.answers.pop(field.key, None)  # a field that no longer applies keeps no answer
    draft.answers.update(clean)
    if current.key not in draft.done:
        draft.done.append(current.key)
    drafts.save(draft, spec, request.session)
    if request.POST.get("_save") == "1":
        return _saved(request, live, draft)
    following = spec.next_page(current.key, draft.answers)
    if returning or following is None:
        missing = spec.missing_pages(draft.answers, draft.done)
        if missing and not returning:
            return redirect("applications:page", slug=slug, page=missing[0].key)
        return redirect("applications:check", slug=slug)
    return redirect("applications:page", slug=slug, page=following.key)


def _field_action(
    request: HttpRequest, live: _Form, page: Page, draft: DraftState, action: str,
    returning: bool,
) -> HttpResponse:
    """A field's own button (e.g. "find the address", "add a row"), which works without
    JavaScript: the page is shown again with everything typed on it kept; nothing is validated."""
    raw = {f.key: f.raw_from_post(request.POST, request.FILES) for f in page.value_fields}
    field, command = rendering.action_target(page, action)
    feedback: dict[str, Any] = {}
    if field is not None:
        raw[field.key], feedback[field.key] = field.action(raw[field.key], command)
    draft.raw.update(raw)
    drafts.save(draft, live.spec, request.session)
    return _render_page(request, live, page, draft, raw, {}, returning, feedback)


def _saved(request: HttpRequest, live: _Form, draft: DraftState) -> HttpResponse:
    """"Save and finish later": residents resume from the my page, visitors by an e-mailed link."""
    if request.user.is_authenticated:
        messages.success(request, _("Your answers are saved. Continue any time from My page."))
        return redirect("residents:mypage")
    return redirect("applications:save", slug=live.form.slug)


@never_cache
@form_access
@require_http_methods(["GET", "POST"])
def save_for_later(request: HttpRequest, live: _Form) -> HttpResponse:
    """A visitor without an account asks for a link to continue later (it expires)."""
    draft = drafts.find(None, request.session, live.version)
    if request.user.is_authenticated or draft is None or draft.model.pk is None:
        return redirect("applications:start", slug=live.form.slug)
    error = ""
    email = request.POST.get("email", "").replace("\x00", "")[:254]
    if request.method == "GET":
        email = _typed_email(live.spec, draft)
    if request.method == "POST":
        email = to_ascii(email).strip()
        try:
            validate_email(email)
        except ValidationError:
            error = _("Enter an e-mail address in the form name@example.jp.")
        else:
            decision = drafts.may_send_resume_link(email, audit.client_ip(request))
            if not decision.allowed:
                return ratelimit.refuse(request, decision, _("Too many links were asked for."))
            enqueue_with_transaction(
                tasks.send_resume_link, email=email, form_id=live.form.pk,
                path=reverse("applications:resume", args=[drafts.resume_token(draft)]),
                language=translation.get_language() or "ja",
            )
            return render(request, "applications/resume_sent.html",
                          {"form": live.form, "spec": live.spec, "email": email,
                           "days": drafts.RESUME_MAX_AGE.days})
    return render(request, "applications/save.html",
                  {"form": live.form, "spec": live.spec, "email": email, "error": error,
                   "days": drafts.RESUME_MAX_AGE.days}, status=422 if error else 200)


def _typed_email(spec: FormSpec, draft: DraftState) -> str:
    """The e-mail address the visitor already gave on the form (its contact field first), so
    the save page need not ask for it again; "" when none was typed or it is not an address."""
    contact = spec.definition.get("contact_field", "")
    keys = [contact, *(f.key for f in spec.fields() if f.type_name == "email" and f.key != contact)]
    for key in keys:
        value = draft.answers.get(key)
        if not isinstance(value, str) or not value:
            raw = draft.raw.get(key)
            value = raw.get("email") if isinstance(raw, dict) else raw
        if not isinstance(value, str):
            continue
        value = to_ascii(value).strip()[:254]
        try:
            validate_email(value)
        except ValidationError:
            continue
        return value
    return ""


def resume(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: continue the saved answers in this browser."""
    model = drafts.resume(token[:500], request.session)
    if model is None:
        return render(request, "applications/resume_expired.html", status=410)
    return redirect("applications:start", slug=model.form.slug)


@never_cache
@form_access
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, live: _Form) -> HttpResponse:
    """Check your answers, then submit. A repeated submit returns the same application."""
    spec, slug = live.spec, live.form.slug
    token = _parse_token(request.POST.get("token", "")) if request.method == "POST" else None
    draft = _draft(request, live)
    if token is not None and token != draft.token:
        # Not the current draft's token: perhaps the draft was already submitted with it.
        done = _already_submitted(request, token)
        if done is not None:
            return _after_submit(request, done)
    if request.method == "GET":
        sent = _sent_before(request, live, draft, "")
        if sent is not None:
            return _already_sent(request, live, sent)
    missing = spec.missing_pages(draft.answers, draft.done)
    if missing or draft.model.pk is None:
        first = missing[0].key if missing else spec.pages[0].key
        return redirect("applications:page", slug=slug, page=first)
    locked = _locked(request, live)
    draft.answers.update({k: v for k, v in locked.items() if k in draft.answers})
    identity_record = (verified.record(resident_selectors.verified_identity(request) or {}, locked)
                       if spec.assurance == "high" else None)
    error = ""
    if request.method == "POST":
        if token is None or token != draft.token:
            error = _("This page has expired. Check your answers and submit again.")
        elif refused := _receipt_refused(request, spec, draft):
            return refused
        else:
            try:
                application = services.submit_application(
                    user=_applicant(request), version=live.version,
                    answers=spec.prune(draft.answers), token=token, spec=spec,
                    identity_verification=identity_record, draft=draft.model,
                    language=translation.get_language(),
                )
            except services.SubmissionRefused as exc:
                error = exc.message or _(
                    "Some answers need to be checked again. Use the change links to correct them."
                )
            else:
                drafts.forget(draft, request.session)
                return _after_submit(request, application)
    return render(
        request,
        "applications/check.html",
        {"form": live.form, "spec": spec, "summary": spec.summary(spec.prune(draft.answers)),
         "token": draft.token, "error": error,
         "must_confirm_email": resident_selectors.must_confirm_email(request.user)},
        status=422 if error else 200,
    )


def _receipt_refused(request: HttpRequest, spec: FormSpec,
                     draft: DraftState) -> HttpResponse | None:
    """Without an account, a receipt mail goes to any address typed: the 429 answer when this
    client address or that address had too many lately (the draft is kept)."""
    if request.user.is_authenticated:
        return None
    decision = ratelimit.check("receipt", ip=audit.client_ip(request),
                               key=_typed_email(spec, draft))
    if decision.allowed:
        return None
    return ratelimit.refuse(request, decision, _("Too many applications were sent in a short "
                                                 "while. Your answers are kept."))


def _already_submitted(request: HttpRequest, token: uuid.UUID) -> Any:
    if request.user.is_authenticated:
        return selectors.submitted_with_token(request.user, token)
    application = selectors.submitted_with_token(None, token)
    if application is not None and str(application.public_id) in _session_receipts(request):
        return application
    return None


def _session_receipts(request: HttpRequest) -> list[str]:
    value = request.session.get(SUBMITTED_SESSION_KEY)
    return value if isinstance(value, list) else []


def _sent_before(request: HttpRequest, live: _Form, draft: DraftState, posted: str) -> Any:
    """The application this browser already sent with this form, when the request is one of
    its pages again: a page posted with the token of a draft that became that application, or
    a page asked for (GET) while no new draft has been started since it was sent."""
    if request.method == "POST":
        token = _parse_token(posted)
    elif draft.model.pk is None:
        token = _parse_token(request.session.get(SENT_SESSION_PREFIX + live.form.slug, ""))
    else:
        token = None
    if token is None or token == draft.token:
        return None
    return _already_submitted(request, token)


def _already_sent(request: HttpRequest, live: _Form, application: Any) -> HttpResponse:
    """「この申請はすでに送信されました」, with the receipt number and a link to the application."""
    url = (reverse("applications:detail", args=[application.public_id])
           if application.applicant_id is not None
           else reverse("applications:received", args=[application.public_id]))
    return render(request, "applications/already_sent.html",
                  {"form": live.form, "spec": live.spec, "application": application,
                   "application_url": url})


def _after_submit(request: HttpRequest, application: Any) -> HttpResponse:
    request.session[SENT_SESSION_PREFIX + application.form_version.form.slug] = str(
        application.submission_token)
    if application.applicant_id is None:
        receipts = _session_receipts(request)
        if str(application.public_id) not in receipts:
            request.session[SUBMITTED_SESSION_KEY] = [*receipts[-19:], str(application.public_id)]
        return redirect("applications:received", public_id=application.public_id)
    follow = hooks.next_url(request, application)  # e.g. a fee paid before sending
    return redirect(follow or reverse("applications:submitted", args=[application.public_id]))


def _parse_token(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


@resident_required
def submitted(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = selectors.get_for_resident(request.user, public_id)
    return render(request, "applications/submitted.html", {"application": application})


def received(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The receipt page of a visitor without an account (only in the browser that sent it)."""
    if str(public_id) not in _session_receipts(request):
        raise Http404
    application = selectors.get_anonymous(public_id)
    return render(request, "applications/submitted.html", {"application": application})


@resident_required
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The resident's own application: status, history and what they answered."""
    application = selectors.get_for_resident(request.user, public_id)
    spec = form_selectors.spec_of(application.form_version)
    audit.record(request, "application.view.resident", target_type="application",
                 target_id=str(application.public_id))
    summary = spec.summary(services.all_answers(application), masked=True)
    return render(request, "applications/detail.html",
                  {"application": application, "summary": summary,
                   "steps": timeline.steps(application),
                   "progress": timeline.progress(application)})


@resident_required
@require_POST
def discard_draft(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Delete an unfinished application from the my page."""
    drafts.discard_for_resident(request.user, public_id)
    messages.success(request, _("The unfinished application was deleted."))
    return redirect("residents:mypage")


@resident_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """差戻し: the resident changes only the answers staff asked about, then sends them again."""
    application = selectors.get_for_resident(request.user, public_id)
    correction = services.open_correction(application)
    if correction is None:
        return redirect("applications:detail", public_id=application.public_id)
    spec = form_selectors.spec_of(application.form_version)
    fields = [f for f in spec.fields() if f.key in correction.fields]
    answers = services.all_answers(application)
    audit.record(request, "application.view.resident", target_type="application",
                 target_id=str(application.public_id), details={"correction": correction.round})
    raw = {f.key: f.raw_from_value(answers.get(f.key)) for f in fields}
    errors: dict[str, str] = {}
    feedback: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("_action")
        field = next((f for f in fields if action and action.partition(":")[0] == f.key), None)
        if field is not None:
            raw = {f.key: f.raw_from_post(request.POST, request.FILES) for f in fields}
            raw[field.key], feedback[field.key] = field.action(raw[field.key],
                                                               action.partition(":")[2])
        else:
            # The wizard's own page check on the answers asked about: the same show/required
            # conditions (on the other answers plus these) and the same messages.
            page = Page(key="correction", spec={}, fields=tuple(fields))
            raw, clean, errors = spec.validate_page(page, request.POST, request.FILES, answers)
            if not errors:
                try:
                    services.resubmit_correction(application=application, correction=correction,
                                                 clean=clean, user=request.user)
                except services.SubmissionRefused as exc:
                    errors = {k: v for k, v in exc.errors.items() if k in raw} or {
                        fields[0].key: _("Some answers need to be checked again.")
                    }
                else:
                    messages.success(request, _("Your corrected answers were sent. The city "
                                                "office will check them again."))
                    return redirect("applications:detail", public_id=application.public_id)
    return render(request, "applications/correct.html", {
        "application": application, "correction": correction,
        "fields": [{"field": f, "raw": raw.get(f.key, f.raw_from_value(None)),
                    "error": errors.get(f.key, ""), "feedback": feedback.get(f.key)}
                   for f in fields],
        "errors": [{"message": errors[f.key], "input_id": f.input_id}
                   for f in fields if f.key in errors],
    }, status=422 if errors else 200)
