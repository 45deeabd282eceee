"""Reads for forms: the live version of a form (cached per process, checked on every use) and
the forms a department's staff may edit."""

from __future__ import annotations

import copy
import threading
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Max, Q, QuerySet
from django.http import Http404

from madoguchi.core.textkeys import TextSlot, text_slots
from madoguchi.staff.models import StaffMember

from .definition import TEXT_OPTIONS, FormSpec
from .models import FormDefinition, FormVersion

_live_cache: dict[str, tuple[tuple[int, int | None, int | None], FormVersion]] = {}
_live_lock = threading.Lock()


@lru_cache(maxsize=256)
def _spec_of_version(version_id: int) -> FormSpec:
    # A published version never changes, so its parsed spec can be kept for the process.
    definition = FormVersion.objects.values_list("definition", flat=True).get(pk=version_id)
    return FormSpec(definition)


_SLUG = "\x00slug"


@lru_cache(maxsize=4)
def _live_state_sql(vendor: str) -> str:
    """The SQL of :func:`live_version`'s check, compiled once per process and database kind;
    its one parameter is the slug. Building and compiling the queryset on every request cost
    about 0.4 ms of CPU, twenty times what running the query costs."""
    query = (
        FormVersion.objects.filter(form__slug=_SLUG, form__is_open=True,
                                   published_at__isnull=False, form__procedure__isnull=False)
        .order_by("-number")
        .values_list("pk", "form__procedure_id", "form__procedure__department_id")[:1]
    ).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    if tuple(params) != (_SLUG,):
        raise RuntimeError(f"the live-version check has parameters {params!r}, not the slug")
    return sql


def live_version(slug: str) -> FormVersion | None:
    """The newest published version of the open form ``slug`` that serves a procedure, with
    its form and procedure; ``None`` when residents cannot apply with it.

    Publishing a form linked to a procedure is what makes it reachable; an unpublished form, or
    one linked to no procedure, is not (the catalog's ``accepts_online_application`` agrees).

    One small query checks which version is live and where its procedure is routed; the full
    objects (with their bilingual JSON texts) are loaded again only when that changed.
    """
    with connection.cursor() as cursor:
        cursor.execute(_live_state_sql(connection.vendor), [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    state = (row[0], row[1], row[2])
    cached = _live_cache.get(slug)
    if cached is not None and cached[0] == state:
        return cached[1]
    version = (
        FormVersion.objects.select_related("form__procedure").defer("definition").get(pk=state[0])
    )
    with _live_lock:
        _live_cache[slug] = (state, version)
    return version


def spec_of(version: FormVersion) -> FormSpec:
    """The parsed definition of a published version."""
    if version.published_at is None:
        return FormSpec(version.definition)
    return _spec_of_version(version.pk)


def clear_caches() -> None:
    """Forget cached versions (called whenever a version is written)."""
    with _live_lock:
        _live_cache.clear()
    _spec_of_version.cache_clear()


def forms_for_staff(staff: StaffMember) -> QuerySet[FormDefinition]:
    """The forms of the staff member's department, newest change first."""
    return (
        FormDefinition.objects.filter(department_id=staff.department_id)
        .select_related("procedure")
        .annotate(live_number=Max("versions__number",
                                  filter=Q(versions__published_at__isnull=False)))
        .order_by("-updated_at", "-pk")
    )


def form_for_staff(staff: StaffMember, pk: int) -> FormDefinition:
    """One form of the staff member's department (404 for any other department's form)."""
    try:
        return FormDefinition.objects.select_related("procedure", "department").get(
            pk=pk, department_id=staff.department_id
        )
    except FormDefinition.DoesNotExist as exc:
        raise Http404 from exc


# --- Translatable texts (the translation workflow reads and writes them by key) ----------------


def translation_base(form: FormDefinition) -> tuple[dict[str, Any], str]:
    """A copy of what translations of ``form`` start from: its draft (``"draft"``), or the
    newest version (``"version"``) when the draft is empty. Published versions never change:
    translations go into the draft, and publishing makes them live."""
    if form.draft:
        return copy.deepcopy(form.draft), "draft"
    version = form.versions.order_by("-number").first()
    return (copy.deepcopy(version.definition) if version is not None else {}), "version"


def _as_text(value: Any) -> Any:
    """A text option written as a plain string becomes a Japanese text object."""
    return {"ja": value} if isinstance(value, str) and value.strip() else value


def form_text_slots(definition: dict[str, Any]) -> dict[str, TextSlot]:
    """Every text of a form definition by key: ``title``, ``pages.<page>.title``,
    ``fields.<field>.label``, ``fields.<field>.options.<value>.label`` ... (a field's key does
    not depend on its page). Plain-string texts are turned into text objects in
    ``definition``, which the slots point into."""
    slots: dict[str, TextSlot] = {}
    if "title" in definition:
        definition["title"] = _as_text(definition["title"])
    slots.update(text_slots(definition, "", skip=("pages",)))
    pages = definition.get("pages")
    for page in pages if isinstance(pages, list) else []:
        if not isinstance(page, dict) or not isinstance(page.get("key"), str):
            continue
        for name in ("title", "intro"):
            if name in page:
                page[name] = _as_text(page[name])
        slots.update(text_slots(page, f"pages.{page['key']}", skip=("fields", "key")))
        fields = page.get("fields")
        for field in fields if isinstance(fields, list) else []:
            if isinstance(field, dict) and isinstance(field.get("key"), str):
                _field_slots(field, f"fields.{field['key']}", slots)
    return slots


def _field_slots(field: dict[str, Any], prefix: str, slots: dict[str, TextSlot]) -> None:
    for name in TEXT_OPTIONS:
        if name in field:
            field[name] = _as_text(field[name])
    for option in field.get("options") or []:
        if isinstance(option, dict) and "label" in option:
            option["label"] = _as_text(option["label"])
    slots.update(text_slots(field, prefix, skip=("fields", "key")))
    children = field.get("fields")
    for child in children if isinstance(children, list) else []:
        if isinstance(child, dict) and isinstance(child.get("key"), str):
            _field_slots(child, f"{prefix}.fields.{child['key']}", slots)


def form_texts(form: FormDefinition) -> dict[str, dict[str, str]]:
    """A copy of every text of the form's translation base (see :func:`translation_base`)."""
    definition, _base = translation_base(form)
    return {key: dict(slot) for key, slot in form_text_slots(definition).items()}


def forms_of(department_id: int | None) -> QuerySet[FormDefinition]:
    """The forms of a department (every form for ``None``)."""
    found = FormDefinition.objects.select_related("department", "procedure").order_by("pk")
    return found if department_id is None else found.filter(department_id=department_id)
