"""Resident pages: filling a form page by page, checking the answers, submitting, following it.

The draft lives in the session until submission. Every POST is validated on the server; a page
with errors is shown again with everything the resident typed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.core import audit
from madoguchi.forms import selectors as form_selectors
from madoguchi.forms.definition import FormSpec, Page
from madoguchi.forms.models import FormDefinition, FormVersion
from madoguchi.residents.permissions import resident_required

from . import selectors, services

DRAFT_PREFIX = "draft:"


def _load_form(slug: str) -> tuple[FormDefinition, FormVersion, FormSpec]:
    version = form_selectors.live_version(slug)
    if version is None or version.form.procedure is None or not version.form.procedure.online:
        raise Http404
    return version.form, version, form_selectors.spec_of(version)


def _draft(session: SessionBase, slug: str, version: FormVersion) -> dict[str, Any]:
    """The session draft for this form, restarted when the published version changed."""
    key = DRAFT_PREFIX + slug
    draft = session.get(key)
    if not isinstance(draft, dict) or draft.get("version") != version.pk:
        draft = {"version": version.pk, "token": str(uuid.uuid4()), "raw": {}, "answers": {},
                 "done": []}
        session[key] = draft
    return draft


def _save_draft(session: SessionBase, slug: str, draft: dict[str, Any]) -> None:
    session[DRAFT_PREFIX + slug] = draft
    session.modified = True


@resident_required
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Begin (or resume) an application at the first page that still needs answers."""
    _form, version, spec = _load_form(slug)
    draft = _draft(request.session, slug, version)
    missing = spec.missing_pages(draft["answers"], draft["done"])
    if not missing:
        return redirect("applications:check", slug=slug)
    return redirect("applications:page", slug=slug, page=missing[0].key)


def _page_context(
    form: FormDefinition, spec: FormSpec, page: Page, raw: dict[str, Any], errors: dict[str, str],
    returning: bool, feedback: dict[str, Any] | None = None,
) -> dict[str, Any]:
    previous = spec.previous_page(page.key)
    index = [p.key for p in spec.pages].index(page.key) + 1
    return {
        "form": form,
        "spec": spec,
        "page": page,
        "fields": [
            {"field": f, "raw": raw.get(f.key, f.raw_from_value(None)),
             "error": errors.get(f.key, ""), "feedback": (feedback or {}).get(f.key)}
            for f in page.fields
        ],
        "errors": [
            {"message": errors[f.key], "input_id": f.input_id}
            for f in page.value_fields if f.key in errors
        ],
        "step": index,
        "steps": len(spec.pages),
        "back_url": (
            reverse("applications:check", args=[form.slug]) if returning
            else reverse("applications:page", args=[form.slug, previous.key]) if previous
            else reverse("catalog:procedure", args=[form.procedure.slug])
        ),
        "returning": returning,
    }


@resident_required
@require_http_methods(["GET", "POST"])
def page_view(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    form, version, spec = _load_form(slug)
    current = spec.page(page)
    if current is None:
        raise Http404
    draft = _draft(request.session, slug, version)
    returning = request.GET.get("return") == "check" or request.POST.get("return") == "check"
    if request.method == "GET":
        raw = {f.key: draft["raw"].get(f.key, f.raw_from_value(draft["answers"].get(f.key)))
               for f in current.value_fields}
        return render(request, "applications/page.html",
                      _page_context(form, spec, current, raw, {}, returning))

    action = request.POST.get("_action")
    if action:
        return _field_action(request, form, spec, current, draft, action, returning)

    raw, clean, errors = spec.validate_page(current, request.POST, request.FILES)
    draft["raw"].update(raw)
    if errors:
        _save_draft(request.session, slug, draft)
        return render(request, "applications/page.html",
                      _page_context(form, spec, current, raw, errors, returning), status=422)
    draft["answers"].update(clean)
    if current.key not in draft["done"]:
        draft["done"].append(current.key)
    _save_draft(request.session, slug, draft)
    following = spec.next_page(current.key)
    if returning or following is None:
        missing = spec.missing_pages(draft["answers"], draft["done"])
        if missing and not returning:
            return redirect("applications:page", slug=slug, page=missing[0].key)
        return redirect("applications:check", slug=slug)
    return redirect("applications:page", slug=slug, page=following.key)


def _field_action(
    request: HttpRequest, form: FormDefinition, spec: FormSpec, page: Page, draft: dict[str, Any],
    action: str, returning: bool,
) -> HttpResponse:
    """A field's own button (e.g. "find the address", "add a row"), which works without
    JavaScript: the page is shown again with everything typed on it kept; nothing is validated."""
    raw = {f.key: f.raw_from_post(request.POST, request.FILES) for f in page.value_fields}
    key, _sep, command = action.partition(":")
    feedback: dict[str, Any] = {}
    field = next((f for f in page.value_fields if f.key == key), None)
    if field is not None:
        raw[key], feedback[key] = field.action(raw[key], command)
    draft["raw"].update(raw)
    _save_draft(request.session, slug=form.slug, draft=draft)
    return render(request, "applications/page.html",
                  _page_context(form, spec, page, raw, {}, returning, feedback))


@resident_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str) -> HttpResponse:
    """Check your answers, then submit. A repeated submit returns the same application."""
    form, version, spec = _load_form(slug)
    key = DRAFT_PREFIX + slug
    token = _parse_token(request.POST.get("token", "")) if request.method == "POST" else None
    stored = request.session.get(key)
    if token is not None and not (isinstance(stored, dict) and stored.get("token") == str(token)):
        # Not the current draft's token: perhaps the draft was already submitted with it.
        done = selectors.submitted_with_token(request.user, token)
        if done is not None:
            return redirect("applications:submitted", public_id=done.public_id)
    draft = _draft(request.session, slug, version)
    missing = spec.missing_pages(draft["answers"], draft["done"])
    if missing:
        return redirect("applications:page", slug=slug, page=missing[0].key)
    error = ""
    if request.method == "POST":
        if token is None or str(token) != draft["token"]:
            error = _("This page has expired. Check your answers and submit again.")
        else:
            try:
                application = services.submit_application(
                    user=request.user, version=version, answers=draft["answers"], token=token,
                    spec=spec,
                )
            except services.SubmissionRefused:
                error = _(
                    "Some answers need to be checked again. Use the change links to correct them."
                )
            else:
                request.session.pop(key, None)
                return redirect("applications:submitted", public_id=application.public_id)
    return render(
        request,
        "applications/check.html",
        {"form": form, "spec": spec, "summary": spec.summary(draft["answers"]),
         "token": draft["token"], "error": error},
        status=422 if error else 200,
    )


def _parse_token(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


@resident_required
def submitted(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = selectors.get_for_resident(request.user, public_id)
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
                   "events": application.events.all()})
