"""The form builder (staff): list, create from scratch / a template / a JSON file, edit,
publish, unpublish, duplicate, export, and the change history. The preview is in :mod:`.preview`.

Every edit is a plain POST that works without JavaScript and by keyboard (buttons to move a
field up or down); a small script adds drag and drop on top. Each saved edit becomes a revision.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.catalog import selectors as catalog_selectors
from madoguchi.catalog.models import Procedure
from madoguchi.core import audit
from madoguchi.core.i18n import localized
from madoguchi.core.jsonlogic import Condition
from madoguchi.staff.permissions import case_handler_required, staff_member

from .. import interchange, library, selectors, services
from ..definition import ACCESS_MODES, DefinitionError, check_definition
from ..models import FormDefinition
from . import edits as builder
from . import review as builder_review
from .conditions import (
    PHRASE_LABELS,
    condition_choices,
    condition_targets,
    condition_text,
    read_condition,
)
from .dates import limits_posted
from .palette import palette_labels, type_label
from .settings import read_settings, settings_for

MAX_IMPORT_BYTES = 1024 * 1024


def _procedures(staff: Any) -> list[tuple[Procedure, FormDefinition | None]]:
    """The department's procedures, each with the form that serves it now (or None)."""
    procedures = Procedure.objects.filter(department_id=staff.department_id).select_related(
        "form").order_by("pk")
    return [(p, getattr(p, "form", None)) for p in procedures]


def _department_procedure(staff: Any, value: str) -> Procedure | None:
    """The procedure of the staff member's department with the posted id (None otherwise)."""
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        return None
    return Procedure.objects.filter(pk=int(value), department_id=staff.department_id).first()


@case_handler_required
def form_list(request: HttpRequest) -> HttpResponse:
    staff = staff_member(request)
    return render(request, "forms/builder/list.html",
                  {"staff": staff, "forms": selectors.forms_for_staff(staff)})


@case_handler_required
@require_http_methods(["GET", "POST"])
def form_create(request: HttpRequest) -> HttpResponse:
    """A blank form: a title is all it needs to start."""
    staff = staff_member(request)
    error = ""
    title_ja = request.POST.get("title_ja", "").replace("\x00", "").strip()[:100]
    title_en = request.POST.get("title_en", "").replace("\x00", "").strip()[:100]
    if request.method == "POST":
        if not title_ja:
            error = _("Enter the title of the form.")
        else:
            form = services.create_form(
                department=staff.department, definition=builder.new_definition(title_ja, title_en),
                actor=request.user,
            )
            return redirect("builder:editor", pk=form.pk)
    return render(request, "forms/builder/new.html",
                  {"error": error, "title_ja": title_ja, "title_en": title_en},
                  status=422 if error else 200)


@case_handler_required
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "forms/builder/library.html", {"templates": library.templates()})


@case_handler_required
@require_POST
def template_use(request: HttpRequest, slug: str) -> HttpResponse:
    """"Use this template": copy it into a new draft of the staff member's department."""
    staff = staff_member(request)
    template = library.get_template(slug)
    if template is None:
        raise Http404
    form = services.create_form(
        department=staff.department, definition=template.definition, actor=request.user,
        slug=template.slug,
        summary=_("Created from the template “%(title)s”.") % {"title": localized(template.title)},
    )
    messages.success(request, _("The template was copied into a new draft. Change what your "
                                "city needs, preview it, then publish."))
    return redirect("builder:editor", pk=form.pk)


@case_handler_required
@require_http_methods(["GET", "POST"])
def form_import(request: HttpRequest) -> HttpResponse:
    """Import a form shared as a JSON file; a malformed or hostile file is refused with reasons."""
    staff = staff_member(request)
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose the JSON file of the form.")]
        elif upload.size > MAX_IMPORT_BYTES:
            problems = [_("The file is larger than 1 MB; a form file is much smaller. Check "
                          "that you chose the right file.")]
        else:
            try:
                imported = interchange.parse_import(upload.read())
            except interchange.ImportRefused as exc:
                problems = exc.problems
            else:
                form = services.create_form(
                    department=staff.department, definition=imported.definition,
                    actor=request.user, slug=imported.slug,
                    summary=_("Imported from the file %(name)s.") % {"name": upload.name[:80]},
                )
                audit.record(request, "form.import", target_type="form", target_id=str(form.pk))
                messages.success(request, _("The form was imported as a new draft."))
                return redirect("builder:editor", pk=form.pk)
    return render(request, "forms/builder/import.html", {"problems": problems},
                  status=422 if problems else 200)


def _form_of(request: HttpRequest, pk: int) -> FormDefinition:
    return selectors.form_for_staff(staff_member(request), pk)


def _editor_context(request: HttpRequest, form: FormDefinition) -> dict[str, Any]:
    definition = form.draft
    live = form.live_version
    return {
        "form": form, "pages": builder_review.pages(definition),
        "palette": palette_labels().items(),
        # After adding a field the palette of its page stays open for the next one.
        "open_palette": request.GET.get("palette", ""),
        "problems": check_definition(definition), "live": live,
        "draft_differs": live is None or live.definition != definition,
        "english_missing": builder_review.english_missing(definition),
    }


@case_handler_required
def editor(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form_of(request, pk)
    return render(request, "forms/builder/editor.html", _editor_context(request, form))


def _apply(request: HttpRequest, form: FormDefinition,
           edit: Callable[[], tuple[dict[str, Any], str]]) -> bool:
    """Run an edit and save it as a revision; a refused edit becomes an error message."""
    try:
        definition, summary = edit()
    except builder.EditRefused as exc:
        messages.error(request, exc.message)
        return False
    services.save_draft(form, definition, actor=request.user, summary=summary)
    messages.success(request, summary)
    return True


def _editor_url(form: FormDefinition, *, palette: str = "", anchor: str = "") -> str:
    url = reverse("builder:editor", args=[form.pk])
    if palette:
        url += f"?{urlencode({'palette': palette})}"
    return f"{url}#{anchor}" if anchor else url


def _offset(request: HttpRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


@case_handler_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One edit of the draft, named by ``op``; back to the editor at the changed item."""
    form = _form_of(request, pk)
    op = request.POST.get("op", "")
    page_key = request.POST.get("page", "")
    field_key = request.POST.get("field", "")
    anchor = f"field-{field_key}" if field_key else f"page-{page_key}" if page_key else ""
    definition = form.draft
    if op == "add_field":
        try:
            new, summary, key = builder.add_field(definition, page_key,
                                                  request.POST.get("entry", ""))
        except builder.EditRefused as exc:
            messages.error(request, exc.message)
        else:
            services.save_draft(form, new, actor=request.user, summary=summary)
            messages.success(request, summary)
            return redirect(f"{reverse('builder:field', args=[form.pk, key])}?added=1")
    elif op == "add_page":
        try:
            new, summary, key = builder.add_page(definition)
        except builder.EditRefused as exc:
            messages.error(request, exc.message)
        else:
            services.save_draft(form, new, actor=request.user, summary=summary)
            messages.success(request, summary)
            anchor = f"page-{key}"
    elif op == "move_field":
        _apply(request, form, lambda: builder.move_field(definition, field_key, _offset(request)))
    elif op == "remove_field":
        _apply(request, form, lambda: builder.remove_field(definition, field_key))
        anchor = f"page-{page_key}" if page_key else ""
    elif op == "move_page":
        _apply(request, form, lambda: builder.move_page(definition, page_key, _offset(request)))
    elif op == "remove_page":
        _apply(request, form, lambda: builder.remove_page(definition, page_key))
        anchor = ""
    elif op == "reorder":
        _apply(request, form, lambda: builder.reorder(definition, _layout(request)))
    else:
        messages.error(request, _("This change is not possible."))
    url = reverse("builder:editor", args=[form.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _layout(request: HttpRequest) -> dict[str, list[str]]:
    try:
        layout = json.loads(request.POST.get("layout", ""))
    except (ValueError, RecursionError):
        raise builder.EditRefused(_("The new order could not be read. Try again.")) from None
    if not isinstance(layout, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
        for k, v in layout.items()
    ):
        raise builder.EditRefused(_("The new order could not be read. Try again."))
    return layout


def _condition_context(definition: dict[str, Any], rule: Any, targets: list[tuple[str, str]],
                       post: dict[str, Any] | None, prefix: str) -> dict[str, Any]:
    """What the condition editor shows: the fields to depend on, each with its kind and, for a
    choice, its own options to pick the value from; the current (or posted) condition."""
    context = {"prefix": prefix, "targets": targets, "phrases": PHRASE_LABELS.items(),
               "choices": condition_choices(definition, targets)}
    context["option_groups"] = [
        {**c, "options": [(f"{c['key']}:{value}", label) for value, label in c["options"]]}
        for c in context["choices"] if c["options"]
    ]
    if post is not None:
        return {**context, "field": post.get(f"{prefix}_field", ""),
                "phrase": post.get(f"{prefix}_phrase", ""),
                "option": post.get(f"{prefix}_option", ""),
                "value": post.get(f"{prefix}_value", ""), "custom": False}
    current = Condition.from_logic(rule) if rule is not None else None
    value, option = (current.value if current else ""), ""
    if current is not None:
        target = next((f for p in definition.get("pages", []) for f in p.get("fields", [])
                       if f.get("key") == current.field), {})
        if target.get("type") == "choice":
            option, value = f"{current.field}:{value}", ""
    return {**context, "field": current.field if current else "",
            "phrase": current.phrase if current else "", "option": option,
            "value": "" if value is True else value,
            "custom": rule is not None and current is None,
            "text": condition_text(rule, definition) if rule is not None else ""}


@case_handler_required
@require_http_methods(["GET", "POST"])
def field_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Edit one field: texts, required, options and limits, and its conditions."""
    form = _form_of(request, pk)
    definition = form.draft
    try:
        page, spec = builder.find_field(definition, key)
    except builder.EditRefused as exc:
        raise Http404 from exc
    targets = condition_targets(definition, page_key=page["key"], field_key=key)
    # A field just added from the palette: back in the editor, that palette is open again.
    added = (request.POST if request.method == "POST" else request.GET).get("added") == "1"
    errors: list[str] = []
    post = request.POST.dict() if request.method == "POST" else None
    if post is not None:
        changes, errors = read_settings(spec, request.POST)
        conditions = {}
        for kind in ("show_if", "require_if"):
            condition, condition_errors = read_condition(definition, request.POST, kind, targets)
            errors += condition_errors
            conditions[kind] = condition
        new_key = request.POST.get("key", key).strip()
        if new_key != key:
            changes["key"] = new_key
        if not errors:
            try:
                updated, summary = builder.update_field(definition, key, changes)
                final_key = changes.get("key", key)
                for kind, condition in conditions.items():
                    # No field chosen clears the condition, unless it is one the builder
                    # cannot show (written by hand in JSON Logic), which is kept.
                    cleared = (request.POST.get(f"{kind}_field") == ""
                               and request.POST.get(f"{kind}_keep") != "1")
                    if condition is not None or cleared:
                        updated, _ignored = builder.set_condition(
                            updated, field_key=final_key, kind=kind, condition=condition
                        )
            except builder.EditRefused as exc:
                errors.append(exc.message)
            else:
                services.save_draft(form, updated, actor=request.user, summary=summary)
                messages.success(request, summary)
                return redirect(_editor_url(form, palette=page["key"] if added else "",
                                            anchor=f"field-{final_key}"))
    return render(
        request, "forms/builder/field.html",
        {"form": form, "spec": spec, "page": page, "errors": errors,
         "settings": _with_posted(settings_for(spec), post),
         "type_label": type_label(spec), "added": added,
         "key": post.get("key", key) if post else key,
         "show_if": _condition_context(definition, spec.get("show_if"), targets, post, "show_if"),
         "require_if": _condition_context(definition, spec.get("require_if"), targets, post,
                                          "require_if")},
        status=422 if errors else 200,
    )


def _with_posted(settings: list[Any], post: dict[str, Any] | None) -> list[Any]:
    """Show what the clerk typed again after an error, not the stored values."""
    if post is None:
        return settings
    shown = []
    for setting in settings:
        if setting.kind == "subfields":
            shown.append(setting)  # the rows as stored; the clerk's edits are in the message
        elif setting.kind == "date_limits":
            shown.append(replace(setting, value=limits_posted(post)))
        elif setting.kind == "checkbox":
            shown.append(replace(setting, value=post.get(setting.name) == "on"))
        else:
            shown.append(replace(setting, value=post.get(setting.name, "")))
    return shown


@case_handler_required
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Edit a page's title, introduction and the condition under which it is shown."""
    form = _form_of(request, pk)
    definition = form.draft
    page = next((p for p in definition.get("pages", []) if p.get("key") == key), None)
    if page is None:
        raise Http404
    targets = condition_targets(definition, page_key=key, field_key=None)
    errors: list[str] = []
    post = request.POST.dict() if request.method == "POST" else None
    if post is not None:
        title_ja = request.POST.get("title_ja", "").replace("\x00", "").strip()[:100]
        if not title_ja:
            errors.append(_("Enter the title of the page."))
        condition, condition_errors = read_condition(definition, request.POST, "show_if", targets)
        errors += condition_errors
        if not errors:
            updated, summary = builder.update_page(
                definition, key, title_ja=title_ja,
                title_en=request.POST.get("title_en", "").replace("\x00", "")[:100],
                intro_ja=request.POST.get("intro_ja", "").replace("\x00", "")[:2000],
                intro_en=request.POST.get("intro_en", "").replace("\x00", "")[:2000],
            )
            if not (condition is None and request.POST.get("show_if_keep") == "1"):
                updated, _ignored = builder.set_condition(updated, page_key=key,
                                                          condition=condition)
            services.save_draft(form, updated, actor=request.user, summary=summary)
            messages.success(request, summary)
            return redirect(f"{reverse('builder:editor', args=[form.pk])}#page-{key}")
    values = post or {
        "title_ja": localized(page.get("title"), "ja"),
        "title_en": (page.get("title") or {}).get("en", ""),
        "intro_ja": (page.get("intro") or {}).get("ja", ""),
        "intro_en": (page.get("intro") or {}).get("en", ""),
    }
    return render(
        request, "forms/builder/page.html",
        {"form": form, "page": page, "values": values, "errors": errors,
         "show_if": _condition_context(definition, page.get("show_if"), targets, post, "show_if")},
        status=422 if errors else 200,
    )


@case_handler_required
@require_http_methods(["GET", "POST"])
def form_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Title, who may apply, the procedure the form serves, and which fields name the applicant."""
    form = _form_of(request, pk)
    staff = staff_member(request)
    definition = form.draft
    fields = [f for p in definition.get("pages", []) for f in p.get("fields", [])]
    errors: list[str] = []
    if request.method == "POST":
        title_ja = request.POST.get("title_ja", "").replace("\x00", "").strip()[:100]
        access = request.POST.get("access", "resident")
        if not title_ja:
            errors.append(_("Enter the title of the form."))
        if access not in ACCESS_MODES:
            errors.append(_("Choose who may apply."))
        keys = {f.get("key") for f in fields}
        applicant = request.POST.get("applicant_field", "")
        contact = request.POST.get("contact_field", "")
        procedure_id = request.POST.get("procedure", "")
        procedure = None
        if procedure_id:
            procedure = _department_procedure(staff, procedure_id)
            if procedure is None:
                errors.append(_("Choose a procedure of your department."))
        if applicant and applicant not in keys or contact and contact not in keys:
            errors.append(_("Choose fields of this form."))
        if not errors:
            updated, summary = builder.set_settings(
                definition, title_ja=title_ja,
                title_en=request.POST.get("title_en", "").replace("\x00", "")[:100],
                access=access, applicant_field=applicant, contact_field=contact,
                signature=request.POST.get("signature") == "on",
                assurance=request.POST.get("assurance", "email"),
            )
            services.save_draft(form, updated, actor=request.user, summary=summary)
            services.link_procedure(form, procedure)
            messages.success(request, summary)
            return redirect("builder:editor", pk=form.pk)
    return render(request, "forms/builder/settings.html", {
        "form": form, "errors": errors, "procedures": _procedures(staff),
        "names": [(f["key"], localized(f.get("label"))) for f in fields if f.get("type") == "name"],
        "emails": [(f["key"], localized(f.get("label"))) for f in fields
                   if f.get("type") == "email"],
        "values": request.POST if request.method == "POST" else {
            "title_ja": (definition.get("title") or {}).get("ja", ""),
            "title_en": (definition.get("title") or {}).get("en", ""),
            "access": definition.get("access", "resident"),
            "assurance": definition.get("assurance", "email"),
            "applicant_field": definition.get("applicant_field", ""),
            "contact_field": definition.get("contact_field", ""),
            "procedure": str(form.procedure_id or ""),
            "signature": "on" if definition.get("signature") else "",
        },
    }, status=422 if errors else 200)


def _publish_context(request: HttpRequest, form: FormDefinition) -> dict[str, Any]:
    """The publish check: everything residents will see, and where they will find it."""
    definition = form.draft
    live = form.live_version
    draft_differs = live is None or live.definition != definition
    procedure = form.procedure
    return {
        "form": form, "problems": check_definition(definition),
        "pages": builder_review.pages(definition),
        "english_missing": builder_review.english_missing(definition),
        "title_ja": (definition.get("title") or {}).get("ja", ""),
        "title_en": (definition.get("title") or {}).get("en", ""),
        "access": definition.get("access", "resident"),
        "live": live, "draft_differs": draft_differs,
        "number": (live.number if live else 0) + (1 if draft_differs else 0),
        "nothing_to_publish": not draft_differs and form.is_open,
        "revision": services.latest_revision_number(form),
        "procedure": procedure,
        "life_events": catalog_selectors.life_events_for(procedure) if procedure else [],
        "procedures": [] if procedure else _procedures(staff_member(request)),
    }


@case_handler_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the publish check (what residents will see). POST from that page: publish."""
    form = _form_of(request, pk)
    if request.method == "GET":
        return render(request, "forms/builder/publish.html", _publish_context(request, form))
    if request.POST.get("revision") != str(services.latest_revision_number(form)):
        messages.error(request, _("The form changed after you checked it. Check it again, "
                                  "then publish."))
        return redirect("builder:publish", pk=form.pk)
    link_to = None
    procedure_id = request.POST.get("procedure", "")
    if form.procedure is None and procedure_id:
        link_to = _department_procedure(staff_member(request), procedure_id)
        if link_to is None:
            messages.error(request, _("Choose a procedure of your department."))
            return redirect("builder:publish", pk=form.pk)
    try:
        version = services.publish_draft(form, link_to=link_to)
    except DefinitionError as exc:
        for problem in exc.problems:
            messages.error(request, problem)
        messages.error(request, _("The form was not published. Correct the points above."))
        return redirect("builder:editor", pk=form.pk)
    audit.record(request, "form.publish", target_type="form", target_id=str(form.pk),
                 details={"version": version.number})
    if form.procedure is not None:
        messages.success(request, _("Published as version %(number)d. Residents can now apply "
                                    "from the page of the procedure “%(procedure)s”.")
                         % {"number": version.number, "procedure": localized(form.procedure.name)})
    else:
        messages.warning(request, _("Published as version %(number)d, but residents cannot "
                                    "reach it yet: choose the procedure it serves in the "
                                    "settings.") % {"number": version.number})
    return redirect("builder:editor", pk=form.pk)


@case_handler_required
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form_of(request, pk)
    services.unpublish(form)
    audit.record(request, "form.unpublish", target_type="form", target_id=str(form.pk))
    messages.success(request, _("The form no longer takes applications. Applications already "
                                "sent are kept."))
    if form.procedure is not None:
        messages.info(request, _("The button to apply online is gone from the page of the "
                                 "procedure “%(procedure)s”.")
                      % {"procedure": localized(form.procedure.name)})
    return redirect("builder:editor", pk=form.pk)


@case_handler_required
@require_POST
def duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form_of(request, pk)
    copy = services.duplicate(form, actor=request.user)
    messages.success(request, _("This is a copy. It is not published."))
    return redirect("builder:editor", pk=copy.pk)


@case_handler_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form_of(request, pk)
    response = HttpResponse(interchange.export_json(form, form.draft),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{form.slug}.json"'
    return response


@case_handler_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form_of(request, pk)
    revisions = form.revisions.select_related("actor__staff_profile").defer("definition")[:100]
    versions = form.versions.filter(published_at__isnull=False).order_by("-number")
    return render(request, "forms/builder/history.html",
                  {"form": form, "revisions": revisions, "versions": versions})


@case_handler_required
@require_POST
def restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    form = _form_of(request, pk)
    revision = get_object_or_404(form.revisions, number=number)
    services.restore_revision(form, revision, actor=request.user)
    audit.record(request, "form.restore", target_type="form", target_id=str(form.pk),
                 details={"revision": number})
    messages.success(request, _("The draft is back as it was in revision %(number)d.")
                     % {"number": number})
    return redirect("builder:editor", pk=form.pk)
