"""The builder's preview: a draft exactly as residents see it, answers kept in the session."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from madoguchi.staff.permissions import case_handler_required, staff_member

from .. import rendering, selectors
from ..definition import DefinitionError, FormSpec

PREVIEW_PREFIX = "preview:"

@case_handler_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, pk: int, page: str = "") -> HttpResponse:
    """The draft exactly as residents see it, page by page; answers are kept only in the
    staff member's session and nothing is submitted."""
    form = selectors.form_for_staff(staff_member(request), pk)
    try:
        spec = FormSpec(form.draft)
    except DefinitionError as exc:
        return render(request, "forms/builder/preview_broken.html",
                      {"form": form, "problems": exc.problems}, status=422)
    key = f"{PREVIEW_PREFIX}{form.pk}"
    state = request.session.get(key)
    if not isinstance(state, dict) or request.GET.get("restart"):
        state = {"raw": {}, "answers": {}}
    answers = state["answers"]
    if not page:
        return redirect("builder:preview_page", pk=form.pk, page=spec.pages[0].key)
    if page == "check":
        return render(request, "forms/builder/preview_check.html",
                      {"form": form, "spec": spec, "summary": spec.summary(spec.prune(answers)),
                       "preview": True})
    current = spec.page(page)
    if current is None:
        raise Http404
    errors: dict[str, str] = {}
    raw = {f.key: state["raw"].get(f.key, f.raw_from_value(answers.get(f.key)))
           for f in current.value_fields}
    feedback: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("_action")
        raw = {f.key: f.raw_from_post(request.POST, request.FILES) for f in current.value_fields}
        if action:
            field, command = rendering.action_target(current, action)
            if field is not None:
                raw[field.key], feedback[field.key] = field.action(raw[field.key], command)
        else:
            raw, clean, errors = spec.validate_page(current, request.POST, request.FILES, answers)
            if not errors:
                answers.update(clean)
                state["raw"].update(raw)
                request.session[key] = state
                following = spec.next_page(current.key, answers)
                target = following.key if following else "check"
                return redirect("builder:preview_page", pk=form.pk, page=target)
        state["raw"].update(raw)
        request.session[key] = state
    previous = spec.previous_page(current.key, answers)
    context = rendering.page_context(spec, current, raw, errors, feedback, answers)
    return render(request, "applications/page.html", {
        **context, "preview": True, "form": form,
        "back_url": (reverse("builder:preview_page", args=[form.pk, previous.key]) if previous
                     else reverse("builder:editor", args=[form.pk])),
        "returning": False,
    }, status=422 if errors else 200)
